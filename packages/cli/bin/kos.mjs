#!/usr/bin/env node
// `kos`: the compiled CLI in this one process, so signals from a process manager reach it directly.
// `npm run build` makes dist/; `npm run kos` runs the source instead.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error(
    'kos: not built yet: run `npm run build` in the repository (or `npm run kos -- …` from source)',
  );
  process.exit(1);
}
const { run, processIo } = await import(main.href);
process.exitCode = await run(process.argv.slice(2), processIo());
