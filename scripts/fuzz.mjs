// `npm run fuzz -- --runs N [--seed S] [vitest args…]`: runs every fuzz property (the files named
// *.fuzz.test.ts) with N inputs each instead of its CI default, and a fixed seed to replay a run.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const env = { ...process.env };
const rest = [];
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split('=', 2);
  const value = () => inline ?? args[++i];
  if (flag === '--runs') env.KOS_FUZZ_RUNS = String(Number(value()));
  else if (flag === '--seed') env.KOS_FUZZ_SEED = String(Number(value()));
  else rest.push(args[i]);
}
for (const [name, v] of [
  ['--runs', env.KOS_FUZZ_RUNS],
  ['--seed', env.KOS_FUZZ_SEED],
]) {
  if (v !== undefined && !(Number.isSafeInteger(Number(v)) && Number(v) >= 0)) {
    console.error(`fuzz: ${name} must be a whole number (got ${v})`);
    process.exit(2);
  }
}
const result = spawnSync('npx', ['vitest', 'run', '.fuzz.test.ts', ...rest], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
