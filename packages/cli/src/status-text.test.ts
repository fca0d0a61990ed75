import { describe, expect, it } from 'vitest';
import type { StatusResponse } from '@kos/contracts';
import { statusText } from './commands/observe.ts';

const base: StatusResponse = {
  success: true,
  status: {
    total_subtasks: 0,
    completed_subtasks: 0,
    running_subtasks: 0,
    pending_subtasks: 0,
    registered_agents: 1,
    agent_status: {},
    task_tensor_shape: [0, 1, 4],
  },
  agents: {
    total: 1,
    by_state: { active: 1 },
    fleet: [],
    health: { quarantined: 0, breakers: { open: 0, half_open: 0 }, untrusted: 0 },
  },
  goals: { total: 0, by_state: {} },
  tasks: { total: 0, by_state: {} },
  ready_queue_depth: 0,
  ready_by_priority: { critical: 0, high: 0, medium: 0, low: 0 },
  waiting: { total: 0, by_reason: {} },
  reconciler: {
    interval_ms: 10_000,
    runs: 0,
    rounds_requested: 0,
    last_run_at: null,
    last_duration_ms: null,
    violations: null,
  },
  store: 'sqlite',
  uptime_s: 3,
};

type Violations = NonNullable<StatusResponse['reconciler']['violations']>;
const none = { count: 0, examples: [] };
const clean: Violations = {
  unassigned_ready: none,
  orphaned_lease: none,
  stale_lease: none,
  goal_counts: none,
  pending_deps: none,
};

const reconciler = (violations: Violations | null, interval = 10_000): StatusResponse['reconciler'] => ({
  ...base.reconciler,
  interval_ms: interval,
  runs: 4,
  violations,
});

describe('kos status', () => {
  it('says what the reconciler found: clean, the kinds it saw, off, or not run on this replica', () => {
    const line = (r: StatusResponse['reconciler']) =>
      statusText({ ...base, reconciler: r }, 'http://x')
        .split('\n')
        .find((l) => l.startsWith('reconciler'));
    expect(line(reconciler(clean))).toMatch(/clean \(4 runs\)$/);
    expect(
      line(reconciler({ ...clean, goal_counts: { count: 1, examples: [{ subject: 'g', detail: 'd' }] } })),
    ).toMatch(/goal_counts 1 \(4 runs\)$/);
    expect(line(reconciler(null, 0))).toMatch(/off$/);
    expect(line(reconciler(null))).toMatch(/not run on this replica yet$/);
  });
});
