// The chaos suite: breaks the orchestrator and its agents on purpose and checks what must hold.
//   npm run chaos -- [--quick] [--only orchestrator-kill,agent-kill,...] [--seed N]
// Prints each scenario's figures, writes bench/results/chaos-<date>.json, and exits non-zero if
// any invariant was violated (or a scenario could not run). docs/chaos.md says what each checks.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tempDir } from '@kos/testing';
import { formatNumber, markdownTable } from '../src/stats.ts';
import { seededRandom } from './random.ts';
import type { ScenarioResult } from './scenario.ts';
import { SCENARIOS } from './scenarios/index.ts';

const USAGE = 'usage: npm run chaos -- [--quick] [--only orchestrator-kill,agent-kill,...] [--seed N]';

function readArgs(): { quick: boolean; seed: number; selected: typeof SCENARIOS } {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((o) => !SCENARIOS.some((s) => s.name === o)) ?? [];
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  return { quick: values.quick, seed, selected: SCENARIOS.filter((s) => !only || only.includes(s.name)) };
}

let args: ReturnType<typeof readArgs>;
try {
  args = readArgs();
} catch (err) {
  // A usage error: nothing has run and nothing is written.
  console.error(`chaos: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  process.exit(2);
}
const { quick, seed, selected } = args;

const began = Date.now();
const outcomes: {
  name: string;
  summary: string;
  seconds: number;
  result?: ScenarioResult;
  error?: string;
}[] = [];
for (const scenario of selected) {
  const t = Date.now();
  const workDir = tempDir(`kos-chaos-${scenario.name}-`);
  process.stderr.write(`… ${scenario.name}\n`);
  const ctx = {
    quick,
    // Per scenario, so `--only x --seed n` replays x exactly as in the full run with seed n.
    random: seededRandom(seed + SCENARIOS.indexOf(scenario)),
    progress: (m: string) => process.stderr.write(`  ${scenario.name}: ${m}\n`),
    workDir,
  };
  try {
    const result = await scenario.run(ctx);
    outcomes.push({
      name: scenario.name,
      summary: scenario.summary,
      seconds: (Date.now() - t) / 1000,
      result,
    });
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    outcomes.push({
      name: scenario.name,
      summary: scenario.summary,
      seconds: (Date.now() - t) / 1000,
      error,
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  process.stderr.write(`  ${scenario.name}: ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${os.platform()}`;
console.log(
  `\nkOS chaos suite${quick ? ' (quick)' : ''} — ${new Date().toISOString()}, seed ${seed}\n${machine}\n`,
);
const rows: string[][] = [];
for (const o of outcomes) {
  for (const f of o.result?.figures ?? []) {
    rows.push([o.name, f.label, formatNumber(f.value), f.unit, f.bound ?? '']);
  }
  if (o.error) rows.push([o.name, 'DID NOT RUN', '—', '', o.error.split('\n')[0] ?? '']);
}
console.log(markdownTable(['scenario', 'measure', 'value', 'unit', 'bound'], rows));
for (const o of outcomes)
  if (o.result) console.log(`\n${o.name} (${o.seconds.toFixed(0)} s): ${o.result.size}`);

const violations = outcomes.flatMap((o) => [
  ...(o.result?.violations ?? []).map((v) => `${o.name}: ${v}`),
  ...(o.error ? [`${o.name} did not run: ${o.error}`] : []),
]);
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify(
    { date: new Date().toISOString(), machine, quick, seed, scenarios: outcomes, violations },
    null,
    2,
  ),
);
console.log(
  `\nTotal ${((Date.now() - began) / 1000).toFixed(0)} s. JSON: ${path.relative(process.cwd(), file)}`,
);
if (violations.length > 0) {
  console.error(`\n${violations.length} violation(s):\n${violations.join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('All invariants held.');
}
