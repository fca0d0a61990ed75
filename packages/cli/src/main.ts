/**
 * `kos`, the command line of the kOS orchestrator. Run as `npm run kos -- <command>` or
 * `bin/kos.mjs <command>`; `kos --help` lists the commands.
 */
import { processIo } from './context.ts';
import { run } from './program.ts';

export { buildProgram, run } from './program.ts';
export { KosClient } from './client.ts';
export { CliError } from './errors.ts';

// Only when started as a program (tsx packages/cli/src/main.ts …), not when imported.
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  process.exitCode = await run(process.argv.slice(2), processIo());
}
