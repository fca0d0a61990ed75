import type { FleetStatus } from '../app/index.ts';
import { seedStatus } from './compat.ts';
import { iso } from './views.ts';

const total = (c: Partial<Record<string, number>>) =>
  Object.values(c).reduce<number>((s, n) => s + (n ?? 0), 0);

/** GET /orchestration/status as docs/api.md shows it. */
export function statusView(s: FleetStatus) {
  const fleet = s.fleet.map((m) => ({
    id: m.agent.id,
    name: m.agent.name,
    state: m.agent.state,
    skills: m.agent.skills,
    active_leases: m.activeLeases,
    max_parallel: m.agent.maxParallel,
    trust: Math.round(m.trust * 1000) / 1000,
    breakers: m.breakers,
    last_heartbeat: iso(m.agent.lastHeartbeatAt),
  }));
  const last = s.reconciler.last;
  return {
    status: seedStatus({ tasks: s.tasks, fleet, tensorShape: s.tensorShape }),
    agents: {
      total: total(s.agents),
      by_state: s.agents,
      fleet,
      health: {
        quarantined: s.health.quarantined,
        breakers: { open: s.health.breakers.open, half_open: s.health.breakers.halfOpen },
        untrusted: s.health.untrusted,
      },
    },
    goals: { total: total(s.goals), by_state: s.goals },
    tasks: { total: total(s.tasks), by_state: s.tasks },
    ready_queue_depth: s.tasks.ready ?? 0,
    ready_by_priority: s.readyByPriority,
    // Waiting tasks (ready, pending, awaiting approval, retrying) by why they wait.
    waiting: { total: total(s.waiting), by_reason: s.waiting },
    // The reconciler's last report on this replica (docs/scheduling.md#the-reconciler).
    reconciler: {
      interval_ms: s.reconciler.intervalMs,
      runs: s.reconciler.runs,
      rounds_requested: s.reconciler.roundsRequested,
      last_run_at: iso(last?.at ?? null),
      last_duration_ms: last === null ? null : Math.round(last.durationMs * 10) / 10,
      violations:
        last === null
          ? null
          : Object.fromEntries(
              Object.entries(last.violations).map(([kind, v]) => [
                kind,
                {
                  count: v.count,
                  examples: v.examples.map((e) => ({ subject: e.subject, detail: e.detail })),
                },
              ]),
            ),
    },
    store: s.store,
    uptime_s: Math.round(s.uptimeMs / 1000),
  };
}
