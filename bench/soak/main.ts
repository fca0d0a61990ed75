// The soak: a steady mixed workload against one real orchestrator process for N minutes, and the
// process's memory, heap, event-loop delay, handles and descriptors sampled each minute.
//   npm run soak -- [--minutes 60] [--rate 10] [--sample-s 60] [--seed N]
// Goals of four tasks arrive at --rate a second (one in 20 cancelled at once); one agent of each
// generation fails every task (retried elsewhere, its breakers open, it is quarantined); every
// minute the churning agent process is killed -9 and a new generation starts. Prints a table as it
// goes and the slope of each figure after a warm-up; writes bench/results/soak-<date>.json.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tempDir } from '@kos/testing';
import { AgentProcess } from '../chaos/agents.ts';
import { submitDag } from '../chaos/event-log.ts';
import { ChaosServer } from '../chaos/orchestrator.ts';
import { seededRandom } from '../chaos/random.ts';
import { sleep } from '../chaos/timing.ts';
import { markdownTable } from '../src/stats.ts';
import { metricSum, metricValue, trend, type Sample } from './samples.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    rate: { type: 'string', default: '10' },
    'sample-s': { type: 'string', default: '60' },
    seed: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const sampleMs = Number(values['sample-s']) * 1000;
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
for (const [name, v] of [
  ['--minutes', minutes],
  ['--rate', rate],
  ['--sample-s', sampleMs],
] as const) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(
      `soak: ${name} must be a positive number\nusage: npm run soak -- [--minutes 60] [--rate 10] [--sample-s 60] [--seed N]`,
    );
    process.exit(2);
  }
}
/** Open goals above which no new goal is submitted: the soak measures a steady state, not a backlog. */
const MAX_OPEN_GOALS = 400;
const random = seededRandom(seed);
const workDir = tempDir('kos-soak-');
const server = await ChaosServer.start({ leases: { ttl_ms: 5000 }, heartbeat: { ttl_ms: 3000 } });
const pid = server.pid;
const steady = await AgentProcess.spawn(server.agentConfig, workDir, 'steady');
await steady.add(
  Array.from({ length: 6 }, (_, i) => ({ name: `steady-${i}`, skills: ['soak'], maxParallel: 8 })),
);
let generation = 0;
const churn = async (): Promise<AgentProcess> => {
  const g = ++generation;
  const proc = await AgentProcess.spawn(server.agentConfig, workDir, `churn-${g}`);
  await proc.add([
    { name: `churn-${g}-a`, skills: ['soak'], maxParallel: 4 },
    { name: `churn-${g}-b`, skills: ['soak'], maxParallel: 4 },
    { name: `churn-${g}-failing`, skills: ['soak'], maxParallel: 2, failing: true },
  ]);
  return proc;
};
let churning = await churn();

const started = Date.now();
const samples: Sample[] = [];
const open = new Set<string>();
let submitted = 0;
let cancelled = 0;
let refused = 0;
let churnFailures = 0;
process.stderr.write(`soak: ${minutes} min at ${rate} goals/s (seed ${seed}), orchestrator pid ${pid}\n`);

async function sample(): Promise<void> {
  const text = String((await server.api.get<string>('/metrics')).body);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const s: Sample = {
    minute: Math.round(((Date.now() - started) / 60_000) * 10) / 10,
    rssMiB: rssKiB / 1024,
    heapUsedMiB: metricValue(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
    loopP99Ms: metricValue(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    activeHandles: metricValue(text, 'nodejs_active_handles_total'),
    openFds: readdirSync(`/proc/${pid}/fd`).length,
    tasksSucceeded: metricSum(text, 'kos_tasks_transitions_total', 'to="succeeded"'),
    goalsSubmitted: submitted,
  };
  samples.push(s);
  process.stderr.write(
    `  min ${s.minute}: rss ${s.rssMiB.toFixed(1)} MiB, heap ${s.heapUsedMiB.toFixed(1)} MiB, loop p99 ${s.loopP99Ms.toFixed(1)} ms, handles ${s.activeHandles}, fds ${s.openFds}, ${s.tasksSucceeded} tasks done, ${open.size} goals open\n`,
  );
}

async function submitOne(): Promise<void> {
  if (open.size >= MAX_OPEN_GOALS) return;
  const work = () => ({ mode: 'work', ms: random.int(5, 40) });
  const { goalId } = await submitDag(server.api, `soak ${submitted}`, [
    { name: 'a', skills: ['soak'], input: work() },
    { name: 'b', skills: ['soak'], depends_on: ['a'], input: work() },
    { name: 'c', skills: ['soak'], depends_on: ['a'], input: work() },
    { name: 'd', skills: ['soak'], depends_on: ['b', 'c'], input: work() },
  ]);
  submitted++;
  open.add(goalId);
  if (random.next() < 0.05) {
    const res = await server.api.post(`/orchestration/goals/${goalId}/cancel`, { reason: 'soak' });
    if (res.status === 200) cancelled++;
  }
}

/** Forgets the goals that ended (a page of finished ones each pass). */
async function settle(): Promise<void> {
  for (const state of ['succeeded', 'failed', 'cancelled']) {
    const res = await server.api.get<{ goals: { id: string }[] }>(
      `/orchestration/goals?state=${state}&limit=500`,
    );
    for (const g of res.body.goals ?? []) open.delete(g.id);
  }
}

let nextSample = started;
let nextChurn = started + 60_000;
let nextSettle = started;
const end = started + minutes * 60_000;
try {
  while (Date.now() < end) {
    const tick = Date.now();
    if (tick >= nextSample) {
      await sample();
      nextSample += sampleMs;
    }
    if (tick >= nextChurn) {
      nextChurn += 60_000;
      await churning.kill();
      // A generation that fails to start is reported and replaced a minute later; the run goes on.
      try {
        churning = await churn();
      } catch (err) {
        churnFailures++;
        process.stderr.write(
          `  agent generation ${generation} did not start: ${String(err).slice(0, 300)}\n`,
        );
      }
    }
    if (tick >= nextSettle) {
      await settle();
      nextSettle += 2000;
    }
    try {
      await submitOne();
    } catch (err) {
      refused++;
      if (refused <= 3) process.stderr.write(`  submit refused: ${String(err).slice(0, 300)}\n`);
    }
    await sleep(Math.max(0, 1000 / rate - (Date.now() - tick)));
  }
  await sample();
} finally {
  await churning.kill();
  await steady.stop();
  await server.stop();
}

const warmup = Math.min(10, minutes / 4);
const t = trend(samples, warmup);
const rows = samples.map((s) => [
  String(s.minute),
  s.rssMiB.toFixed(1),
  s.heapUsedMiB.toFixed(1),
  s.loopP99Ms.toFixed(1),
  String(s.activeHandles),
  String(s.openFds),
  String(s.tasksSucceeded),
]);
console.log(
  markdownTable(['minute', 'RSS MiB', 'heap MiB', 'loop p99 ms', 'handles', 'fds', 'tasks done'], rows),
);
console.log(
  `\n${submitted} goals submitted (${cancelled} cancelled, ${refused} refused), ${generation} agent generations (${churnFailures} failed to start), seed ${seed}` +
    `\nafter the first ${warmup} min (${t.used} samples): RSS ${t.rssMiBPerHour.toFixed(2)} MiB/h, heap ${t.heapMiBPerHour.toFixed(2)} MiB/h, handles ${t.handlesPerHour.toFixed(1)}/h, fds ${t.fdsPerHour.toFixed(1)}/h`,
);
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify(
    { minutes, rate, seed, submitted, cancelled, refused, churnFailures, samples, trend: t },
    null,
    1,
  ),
);
console.log(`written to ${path.relative(process.cwd(), file)}`);
