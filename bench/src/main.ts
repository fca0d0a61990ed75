// The benchmark suite: kOS (per store mode) side by side with BullMQ, graphile-worker and pg-boss.
//   npm run bench -- [--quick] [--only flat,chain,...] [--mode full,normal,pg,pg2|both|all] [--no-peers] [--profile]
// Modes: SQLite synchronous FULL / NORMAL, PostgreSQL store with one (PG) or two (PG2) replicas;
// the PostgreSQL modes run only for workloads that declare `postgres` (flat, latency).
// --quick runs small sizes and checks correctness only (every task done exactly once, chain order),
// exiting non-zero on a problem; speed is never checked.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPostgres, type KosMode } from './peers/kos.ts';
import { parseBenchArgs, USAGE, type BenchArgs } from './args.ts';
import { PEERS, renderTable, type Row } from './report.ts';
import type { Measured, RunContext, Workload } from './workload.ts';
import { backlog } from './workloads/backlog.ts';
import { chain } from './workloads/chain.ts';
import { fanout } from './workloads/fanout.ts';
import { flat, flatWide } from './workloads/flat.ts';
import { fleet } from './workloads/fleet.ts';
import { latency } from './workloads/latency.ts';

const ALL: Workload[] = [flat, flatWide, chain, fanout, latency, fleet, backlog];

let args: BenchArgs;
try {
  args = parseBenchArgs(
    process.argv.slice(2),
    ALL.map((w) => w.name),
  );
} catch (err) {
  // A usage error: nothing has run and nothing is written.
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  process.exit(2);
}
const modes = args.modes;
const selected = ALL.filter((w) => args.workloads.includes(w.name));

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const ctx: RunContext = { quick: args.quick };
if (args.profile) ctx.profileDir = path.join(resultsDir, `profile-${stamp}`);

const rows: Row[] = [];
const problems: string[] = [];
const began = performance.now();

async function measure(label: string, fn: () => Promise<Measured>): Promise<Measured | undefined> {
  const t = performance.now();
  process.stderr.write(`… ${label}`);
  try {
    const m = await fn();
    process.stderr.write(
      ` ${((performance.now() - t) / 1000).toFixed(1)} s${m.problems.length ? ' PROBLEMS' : ''}\n`,
    );
    problems.push(...m.problems.map((p) => `${label}: ${p}`));
    return m;
  } catch (err) {
    process.stderr.write(' FAILED\n');
    problems.push(`${label}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return undefined;
  }
}

for (const w of selected) {
  const kos: Partial<Record<KosMode, Measured>> = {};
  for (const mode of modes) {
    if (isPostgres(mode) && !w.postgres) continue;
    const m = await measure(`${w.name} kOS ${mode}`, () => w.kos(ctx, mode));
    if (m) kos[mode] = m;
  }
  const peers: Partial<Record<(typeof PEERS)[number]['key'], Measured>> = {};
  for (const p of args.peers ? PEERS : []) {
    const run = w[p.key];
    const m = run ? await measure(`${w.name} ${p.name}`, () => run(ctx)) : undefined;
    if (m) peers[p.key] = m;
  }
  for (const m of w.measures) {
    const row: Row = {
      workload: w.name,
      size: w.size(ctx.quick),
      measure: m,
      kos: Object.fromEntries(modes.map((mode) => [mode, kos[mode]?.figures[m.key]])),
    };
    for (const p of PEERS) {
      const figure = peers[p.key]?.figures[m.key];
      if (figure !== undefined) row[p.key] = figure;
    }
    rows.push(row);
  }

  // Written after every workload, so a long run that fails later still leaves its figures.
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'partial.md'), renderTable(rows, modes) + '\n');
}

const table = renderTable(rows, modes);
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}`;
console.log(
  `\nkOS benchmark ${ctx.quick ? '(quick: correctness only, sizes too small for speed)' : ''}— ${new Date().toISOString()}\n${machine}\n`,
);
console.log(table);
console.log(
  `\nratio: how many times better kOS (first mode) is than the peer (above 1 = kOS better). Total ${((performance.now() - began) / 1000).toFixed(0)} s.`,
);
mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `${ctx.quick ? 'quick' : 'full'}-${stamp}.json`);
writeFileSync(
  file,
  JSON.stringify(
    { date: new Date().toISOString(), machine, quick: ctx.quick, modes, rows, problems },
    null,
    2,
  ),
);
writeFileSync(path.join(resultsDir, 'latest.md'), `${machine}\n\n${table}\n`);
console.log(`JSON: ${path.relative(process.cwd(), file)}`);
if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n${problems.join('\n')}`);
  process.exitCode = 1;
}
