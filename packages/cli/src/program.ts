/**
 * The `kos` command tree and how a run ends: 0 on success, 1 on an API or network error,
 * 2 on a usage error. `run` never calls process.exit, so tests can drive it in-process.
 */
import { Command, CommanderError } from 'commander';
import { isKosError } from '@kos/protocol';
import { registerA2a } from './commands/a2a.ts';
import { registerAgent } from './commands/agent.ts';
import { registerAgents } from './commands/agents.ts';
import { registerAudit } from './commands/audit.ts';
import { registerBackup } from './commands/backup.ts';
import { registerGoals } from './commands/goals.ts';
import { registerKeys } from './commands/keys.ts';
import { registerMcp } from './commands/mcp.ts';
import { registerObserve } from './commands/observe.ts';
import { registerServe } from './commands/serve.ts';
import { registerSubmit } from './commands/submit.ts';
import { registerTasks } from './commands/tasks.ts';
import { registerTensor } from './commands/tensor.ts';
import { registerToken } from './commands/token.ts';
import { DEFAULT_URL, type Io } from './context.ts';
import { CliError, QuietExit, usageError } from './errors.ts';
import { describeUnknownCommand, findUnknownCommand } from './unknown-command.ts';

export function buildProgram(io: Io): Command {
  const program = new Command('kos')
    .description('kOS orchestrator: run it, submit goals, watch tasks and agents')
    .option('--url <url>', `orchestrator URL (env KOS_URL, default ${DEFAULT_URL})`)
    .option('--token <secret>', 'API token (env KOS_TOKEN, default: <data dir>/admin.token)')
    .option('--data-dir <dir>', 'data directory (env KOS_DATA_DIR, default ./.kos)')
    .option('--ca <file>', 'PEM CA certificate to trust for an https orchestrator (env KOS_CA_FILE)')
    .option('--json', "print the API's JSON answer as is")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)');
  registerServe(program, io);
  registerSubmit(program, io);
  registerObserve(program, io);
  registerAgents(program, io);
  registerGoals(program, io);
  registerTasks(program, io);
  registerTensor(program, io);
  registerToken(program, io);
  registerKeys(program, io);
  registerAudit(program, io);
  registerBackup(program, io);
  registerAgent(program, io);
  registerMcp(program, io);
  registerA2a(program, io);
  return program;
}

/** Runs `kos` with these arguments (without the node and script paths); returns the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  try {
    const unknown = findUnknownCommand(buildProgram(SILENT), argv);
    if (unknown !== undefined) throw usageError(describeUnknownCommand(unknown));
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    return exitCodeOf(e, io);
  }
}

/** Where the throw-away command tree of `findUnknownCommand` writes: nowhere. */
const SILENT: Io = {
  stdout: { write: () => true },
  stderr: { write: () => true },
  tty: null,
  env: {},
  cwd: '.',
};

function exitCodeOf(e: unknown, io: Io): number {
  const say = (line: string): unknown => io.stderr.write(`${line}\n`);
  // Help and --version end with exit code 0; any other commander error is a usage error it printed.
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  if (e instanceof QuietExit) return e.exitCode;
  if (e instanceof CliError) {
    say(e.describe());
    if (e.code === 'KOS_ERR_UNAUTHENTICATED') {
      say(
        'hint: pass --token <secret>, set KOS_TOKEN, or point --data-dir at the server data dir (admin.token)',
      );
    }
    return e.exitCode;
  }
  if (isKosError(e)) {
    say(`error ${e.code}: ${e.message}`);
    return 1;
  }
  say(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return 1;
}
