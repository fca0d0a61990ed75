// Throughput through the KLP gateway: a real orchestrator process (SQLite, synchronous=FULL by
// default) and agents over real WebSockets in this process, trivial handlers.
//   npm run bench:gateway -- [--agents 50] [--tasks 10000] [--parallel 20]
// Prints tasks/s end to end and KLP frames/s (both directions), plus the per-frame cost of the
// two ways to authenticate results: an Ed25519 verify per frame vs the receipt chain.
import { parseArgs } from 'node:util';
import { envelope } from '@kos/protocol';
import { chainNext, chainStart, generateKey, signEnvelope, verifyEnvelope } from '@kos/protocol/node';
import { Http, startServer } from '@kos/testing';
import { runFlat, startNoopAgents } from './noop-fleet.ts';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '50' },
    tasks: { type: 'string', default: '10000' },
    parallel: { type: 'string', default: '20' },
  },
});
const nAgents = Number(values.agents);
const nTasks = Number(values.tasks);
const parallel = Number(values.parallel);

function counter(metrics: string, name: string): number {
  let sum = 0;
  for (const line of metrics.split('\n')) if (line.startsWith(name)) sum += Number(line.split(' ').at(-1));
  return sum;
}

function perOpMicros(n: number, fn: () => void): number {
  for (let i = 0; i < 200; i++) fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t) / n / 1000;
}

// KOS_BENCH_PROFILE=<dir> writes a CPU profile of the orchestrator process there.
const profile = process.env.KOS_BENCH_PROFILE;
const server = await startServer(profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profile}`] } : {});
const admin = new Http(server.url, server.adminToken);
const ws = server.url.replace(/^http/, 'ws') + '/klp';
try {
  const agents = await startNoopAgents({
    urls: [ws],
    count: nAgents,
    parallel,
    prefix: 'bench',
    token: server.adminToken,
  });
  const before = (await admin.get<string>('/metrics')).body;
  const started = performance.now();
  await runFlat([admin], nTasks);
  const seconds = (performance.now() - started) / 1000;
  const after = (await admin.get<string>('/metrics')).body;
  const framesIn = counter(after, 'kos_klp_frames_total') - counter(before, 'kos_klp_frames_total');
  await Promise.all(agents.map((a) => a.stop()));

  const key = generateKey();
  const frame = envelope('TASK_RESULT', {
    from: 'kai://agent.bench',
    to: 'kai://orchestrator',
    seq: 1,
    payload: { task_id: 'x'.repeat(36), epoch: 1, status: 'succeeded', result: { ok: true, n: 42 } },
  });
  const signed = signEnvelope(frame, key);
  const head = chainStart('nonce');
  const verifyUs = perOpMicros(2000, () => verifyEnvelope(signed, key.publicKey));
  const chainUs = perOpMicros(20000, () => chainNext(head, frame));

  const rows: [string, string][] = [
    ['agents × max_parallel', `${nAgents} × ${parallel}`],
    ['tasks', String(nTasks)],
    ['end-to-end tasks/s (submit → all succeeded)', (nTasks / seconds).toFixed(0)],
    ['agent → orchestrator frames/s', (framesIn / seconds).toFixed(0)],
    ['orchestrator → agent frames (est.) /s', ((2 * nTasks) / seconds).toFixed(0)],
    ['Ed25519 verify per frame (µs)', verifyUs.toFixed(1)],
    ['receipt chain step per frame (µs)', chainUs.toFixed(1)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
} finally {
  await server.stop();
  server.cleanup();
}
