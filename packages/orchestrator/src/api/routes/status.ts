import { openBreakers, trustNow } from '../../registry/health.ts';
import { waitingCounts } from '../../scheduler/waiting.ts';
import { PRIORITIES } from '@kos/protocol';
import { OPEN_TASK_STATES } from '../../scheduler/task.ts';
import { seedStatus } from '../compat.ts';
import type { ApiDeps } from '../deps.ts';
import { iso } from '../views.ts';

/** The reconciler's last report on this replica (docs/scheduling.md#the-reconciler). */
function reconcilerView(deps: ApiDeps) {
  const { runs, roundsRequested, last } = deps.reconciler;
  return {
    interval_ms: deps.config.reconciler.intervalMs,
    runs,
    rounds_requested: roundsRequested,
    last_run_at: iso(last?.at ?? null),
    last_duration_ms: last === null ? null : Math.round(last.durationMs * 10) / 10,
    violations:
      last === null
        ? null
        : Object.fromEntries(
            Object.entries(last.violations).map(([kind, v]) => [
              kind,
              { count: v.count, examples: v.examples.map((e) => ({ subject: e.subject, detail: e.detail })) },
            ]),
          ),
  };
}

/** GET /orchestration/status: counts by state and each agent's load, from committed data. */
export async function buildStatus(deps: ApiDeps) {
  const { store } = deps;
  const [tasks, heldBack, goals, agentsByState, agents, loads] = await store.read((tx) =>
    Promise.all([
      tx.countTasksByState(),
      tx.countHeldBackByReason(),
      tx.countGoalsByState(),
      tx.countAgentsByState(),
      tx.listAgents(['active', 'draining', 'lost', 'quarantined']),
      tx.countLeasesByAgent(),
    ]),
  );
  deps.metrics.setGauges({ tasks, agents: agentsByState, readyQueueDepth: tasks.ready ?? 0 });
  const now = store.now();
  const breakers = agents.map((a) => openBreakers(a, now, deps.config));
  const count = (state: 'open' | 'half_open') =>
    breakers.reduce((n, b) => n + Object.values(b).filter((s) => s === state).length, 0);
  const health = {
    quarantined: agentsByState.quarantined ?? 0,
    breakers: { open: count('open'), half_open: count('half_open') },
    untrusted: agents.filter(
      (a) => a.state !== 'quarantined' && trustNow(a, now, deps.config) < deps.config.security.trustThreshold,
    ).length,
  };
  deps.metrics.setBreakerGauges(health.breakers);
  const total = (c: Partial<Record<string, number>>) =>
    Object.values(c).reduce<number>((s, n) => s + (n ?? 0), 0);
  const waiting = waitingCounts(tasks, heldBack);
  const fleet = agents.map((a, i) => ({
    id: a.id,
    name: a.name,
    state: a.state,
    skills: a.skills,
    active_leases: loads.get(a.id) ?? 0,
    max_parallel: a.maxParallel,
    trust: Math.round(trustNow(a, now, deps.config) * 1000) / 1000,
    breakers: breakers[i] ?? {},
    last_heartbeat: iso(a.lastHeartbeatAt),
  }));
  // The tensor's shape without building it: its rows are the open tasks, its columns these agents.
  const openTasks = OPEN_TASK_STATES.reduce((n, s) => n + (tasks[s] ?? 0), 0);
  return {
    status: seedStatus({ tasks, fleet, tensorShape: [openTasks, agents.length, PRIORITIES.length] }),
    agents: {
      total: total(agentsByState),
      by_state: agentsByState,
      fleet,
      health,
    },
    goals: { total: total(goals), by_state: goals },
    tasks: { total: total(tasks), by_state: tasks },
    ready_queue_depth: tasks.ready ?? 0,
    // Waiting tasks (ready, pending, awaiting approval, retrying) by why they wait.
    waiting: { total: total(waiting), by_reason: waiting },
    reconciler: reconcilerView(deps),
    store: store.backend.kind,
    uptime_s: Math.round((store.now() - deps.startedAt) / 1000),
  };
}
