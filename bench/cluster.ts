// Flat throughput on the PostgreSQL store with one and two orchestrator replicas, with embedded
// SQLite (FULL) as the reference, all in the same run:
//   npm run bench:cluster -- [--tasks 5000] [--agents 40] [--parallel 10]
// Agents (SDK, this process) get every replica URL, starting at different ones, so they spread
// over the replicas; goals are submitted round-robin to the replicas.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Http, startServer, tempDir, type ServerHandle } from '@kos/testing';
import { runFlat, startNoopAgents } from './noop-fleet.ts';
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
  const agents = await startNoopAgents({
    urls,
    count: nAgents,
    parallel,
    prefix: label.replace(/\W/g, ''),
    token: servers[0]!.adminToken,
  });
  const rate = await runFlat(apis, nTasks);
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
