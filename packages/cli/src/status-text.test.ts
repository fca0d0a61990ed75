import { describe, expect, it } from 'vitest';
import type { StatusResponse } from './api-types.ts';
import { statusText } from './commands/observe.ts';

const base: StatusResponse = {
  agents: { total: 1, by_state: { active: 1 } },
  goals: { total: 0, by_state: {} },
  tasks: { total: 0, by_state: {} },
  ready_queue_depth: 0,
  store: 'sqlite',
  uptime_s: 3,
};

const reconciler = (
  violations: NonNullable<StatusResponse['reconciler']>['violations'],
  interval = 10_000,
) => ({
  interval_ms: interval,
  runs: 4,
  last_run_at: null,
  violations,
});

describe('kos status', () => {
  it('says what the reconciler found: clean, the kinds it saw, off, or not run on this replica', () => {
    const line = (r: StatusResponse['reconciler']) =>
      statusText({ ...base, ...(r ? { reconciler: r } : {}) }, 'http://x')
        .split('\n')
        .find((l) => l.startsWith('reconciler'));
    expect(line(reconciler({ goal_counts: { count: 0, examples: [] } }))).toMatch(/clean \(4 runs\)$/);
    expect(
      line(
        reconciler({
          goal_counts: { count: 1, examples: [{ subject: 'g', detail: 'd' }] },
          stale_lease: { count: 0, examples: [] },
        }),
      ),
    ).toMatch(/goal_counts 1 \(4 runs\)$/);
    expect(line(reconciler(null, 0))).toMatch(/off$/);
    expect(line(reconciler(null))).toMatch(/not run on this replica yet$/);
    expect(line(undefined)).toBeUndefined();
  });
});
