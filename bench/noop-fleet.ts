// Shared by the single-scenario benchmarks (gateway.ts, cluster.ts): SDK agents with a trivial
// handler in this process, and the flat workload driven over the REST API.
import { Agent } from '@kos/agent';
import { generateKey } from '@kos/protocol/node';
import { poll, type Http } from '@kos/testing';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * `count` agents with skill `noop`, agent i starting at URL i (mod n) so a fleet spreads over
 * replicas. An admin token may register any name, so one token serves them all.
 */
export async function startNoopAgents(o: {
  urls: readonly string[];
  count: number;
  parallel: number;
  prefix: string;
  token: string;
}): Promise<Agent[]> {
  return Promise.all(
    Array.from({ length: o.count }, async (_, i) => {
      const k = i % o.urls.length;
      const agent = await Agent.create({
        orchestrator: [...o.urls.slice(k), ...o.urls.slice(0, k)],
        name: `${o.prefix}-${i}`,
        skills: ['noop'],
        key: generateKey(),
        token: o.token,
        maxParallel: o.parallel,
        handleSignals: false,
        logger: quiet,
      });
      agent.handle('noop', (task) => task.name);
      await agent.start();
      return agent;
    }),
  );
}

/** Submits `nTasks` independent tasks in goals of 1,000 (round-robin over `apis`); answers tasks/s. */
export async function runFlat(apis: readonly Http[], nTasks: number): Promise<number> {
  const started = performance.now();
  const perGoal = 1000;
  for (let g = 0; g * perGoal < nTasks; g++) {
    const tasks = Array.from({ length: Math.min(perGoal, nTasks - g * perGoal) }, (_, i) => ({
      name: `t${i}`,
      skills: ['noop'],
    }));
    const res = await apis[g % apis.length]!.post('/orchestration/decompose', { goal: `bench ${g}`, tasks });
    if (res.status !== 201) throw new Error(`submit failed: ${JSON.stringify(res.body)}`);
  }
  await poll(
    async () => {
      const s = await apis[0]!.get<{ tasks: { by_state: Record<string, number> } }>('/orchestration/status');
      return (s.body.tasks.by_state.succeeded ?? 0) >= nTasks;
    },
    { timeoutMs: 900_000, intervalMs: 100, what: 'all tasks to succeed' },
  );
  return nTasks / ((performance.now() - started) / 1000);
}
