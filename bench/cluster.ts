// Flat throughput on the PostgreSQL store with one and two orchestrator replicas, with embedded
// SQLite (FULL) as the reference, all in the same run:
//   npm run bench:cluster -- [--tasks 5000] [--agents 40] [--parallel 10]
// Agents (SDK, this process) get every replica URL, starting at different ones, so they spread
// over the replicas; goals are submitted round-robin to the replicas.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent } from '@kos/agent';
import { generateKey } from '@kos/protocol';
import { Http, poll, startServer, tempDir, type ServerHandle } from '@kos/testing';
import { createTestDatabase } from '../packages/orchestrator/src/store/postgres/test-database.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '5000' },
    agents: { type: 'string', default: '40' },
    parallel: { type: 'string', default: '10' },
  },
});
const nTasks = Number(values.tasks);
const nAgents = Number(values.agents);
const parallel = Number(values.parallel);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function run(label: string, store: string | null, replicas: number): Promise<[string, number]> {
  const config = path.join(tempDir('kos-bench-cluster-'), 'kos.yaml');
  writeFileSync(
    config,
    'limits:\n  max_tasks_per_goal: 100000\n  max_body_bytes: 67108864\nlog:\n  level: warn\n',
  );
  const servers: ServerHandle[] = [];
  for (let i = 0; i < replicas; i++) {
    servers.push(await startServer({ configFile: config, ...(store ? { env: { KOS_STORE: store } } : {}) }));
  }
  const apis = servers.map((s) => new Http(s.url, servers[0]!.adminToken));
  const urls = servers.map((s) => s.url.replace(/^http/, 'ws') + '/klp');
  const agents = await Promise.all(
    Array.from({ length: nAgents }, async (_, i) => {
      const agent = await Agent.create({
        orchestrator: [...urls.slice(i % urls.length), ...urls.slice(0, i % urls.length)],
        name: `${label.replace(/\W/g, '')}-${i}`,
        skills: ['noop'],
        key: generateKey(),
        token: servers[0]!.adminToken,
        maxParallel: parallel,
        handleSignals: false,
        logger: quiet,
      });
      agent.handle('noop', (task) => task.name);
      await agent.start();
      return agent;
    }),
  );
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
    { timeoutMs: 900_000, intervalMs: 100, what: `${label}: all tasks to succeed` },
  );
  const rate = nTasks / ((performance.now() - started) / 1000);
  await Promise.all(agents.map((a) => a.stop()));
  for (const s of servers) await s.stop();
  for (const s of servers) s.cleanup();
  return [label, rate];
}

const rows: [string, number][] = [];
rows.push(await run('SQLite FULL, 1 process', null, 1));
for (const replicas of [1, 2]) {
  const db = await createTestDatabase('kos_bench');
  try {
    rows.push(await run(`PostgreSQL, ${replicas} replica${replicas > 1 ? 's' : ''}`, db.url, replicas));
  } finally {
    await db.drop();
  }
}
console.log(`flat: ${nTasks} tasks, ${nAgents} agents × max_parallel ${parallel}`);
for (const [label, rate] of rows) console.log(`${label.padEnd(26)} ${rate.toFixed(0).padStart(6)} tasks/s`);
