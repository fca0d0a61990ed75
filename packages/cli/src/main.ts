/**
 * `kos`, the command line of the kOS orchestrator. Run as `npm run kos -- <command>` or
 * `bin/kos.mjs <command>`; `kos --help` lists the commands.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { processIo } from './context.ts';
import { run } from './program.ts';

export { buildProgram, run } from './program.ts';
export { KosClient } from './client.ts';
export { CliError } from './errors.ts';
export { processIo } from './context.ts';

/** True when this file was started as the program (tsx packages/cli/src/main.ts …), not imported. */
function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntry()) process.exitCode = await run(process.argv.slice(2), processIo());
