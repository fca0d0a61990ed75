// Flat throughput on the PostgreSQL store with one and two orchestrator replicas, with embedded
// SQLite (FULL) as the reference, all in the same run:
//   npm run bench:cluster -- [--tasks 5000] [--agents 40] [--parallel 10]
// Agents (SDK, this process) get every replica URL, starting at different ones, so they spread
// over the replicas; goals are submitted round-robin to the replicas.
import { parseArgs } from 'node:util';
import { runFlat, startNoopAgents } from './noop-fleet.ts';
import { startReplicas } from './src/replicas.ts';

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

async function run(label: string, postgres: boolean, replicas: number): Promise<[string, number]> {
  const cluster = await startReplicas({
    count: replicas,
    postgres,
    config: [
      'limits:',
      '  max_tasks_per_goal: 100000',
      '  max_body_bytes: 67108864',
      'log:',
      '  level: warn',
    ],
  });
  try {
    const agents = await startNoopAgents({
      urls: cluster.wsUrls,
      count: nAgents,
      parallel,
      prefix: label.replace(/\W/g, ''),
      token: cluster.servers[0]!.adminToken,
    });
    const rate = await runFlat(cluster.apis, nTasks);
    await Promise.all(agents.map((a) => a.stop()));
    return [label, rate];
  } finally {
    await cluster.stop();
  }
}

const rows: [string, number][] = [];
rows.push(await run('SQLite FULL, 1 process', false, 1));
for (const replicas of [1, 2]) {
  rows.push(await run(`PostgreSQL, ${replicas} replica${replicas > 1 ? 's' : ''}`, true, replicas));
}
console.log(`flat: ${nTasks} tasks, ${nAgents} agents × max_parallel ${parallel}`);
for (const [label, rate] of rows) console.log(`${label.padEnd(26)} ${rate.toFixed(0).padStart(6)} tasks/s`);
