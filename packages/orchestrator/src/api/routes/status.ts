import type { ApiDeps } from '../deps.ts';

/** GET /orchestration/status: counts by state and each agent's load, from committed data. */
export async function buildStatus(deps: ApiDeps) {
  const { store } = deps;
  const [tasks, goals, agentsByState, agents, loads] = await store.read((tx) =>
    Promise.all([
      tx.countTasksByState(),
      tx.countGoalsByState(),
      tx.countAgentsByState(),
      tx.listAgents(['active', 'draining', 'lost', 'quarantined']),
      tx.countLeasesByAgent(),
    ]),
  );
  deps.metrics.setGauges({ tasks, agents: agentsByState, readyQueueDepth: tasks.ready ?? 0 });
  const total = (c: Partial<Record<string, number>>) =>
    Object.values(c).reduce<number>((s, n) => s + (n ?? 0), 0);
  return {
    agents: {
      total: total(agentsByState),
      by_state: agentsByState,
      fleet: agents.map((a) => ({
        id: a.id,
        name: a.name,
        state: a.state,
        skills: a.skills,
        active_leases: loads.get(a.id) ?? 0,
        max_parallel: a.maxParallel,
      })),
    },
    goals: { total: total(goals), by_state: goals },
    tasks: { total: total(tasks), by_state: tasks },
    ready_queue_depth: tasks.ready ?? 0,
    store: store.backend.kind,
    uptime_s: Math.round((store.now() - deps.startedAt) / 1000),
  };
}
