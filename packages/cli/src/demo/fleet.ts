/**
 * The example fleet (examples/fleet) as child processes: one `kos agent run <module>` each, so the
 * agents reach the orchestrator only over KLP, like agents on other machines would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fromSource } from '../from-source.ts';
import { agentLine } from './agent-lines.ts';

export const FLEET_DIR = fileURLToPath(new URL('../../../../examples/fleet/', import.meta.url));
export const FLEET_AGENTS = ['collector', 'analyst', 'reporter'] as const;

/**
 * How to start this CLI again in a process of its own, one process per agent (no wrapper between
 * our signals and the agent): compiled, `node dist/main.js`; from source, `node --import tsx
 * src/main.ts` (the `kos-source` condition comes with NODE_OPTIONS, which children inherit).
 */
function selfCommand(): string[] {
  if (!fromSource) return [fileURLToPath(new URL('../main.js', import.meta.url))];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, fileURLToPath(new URL('../main.ts', import.meta.url))];
}

export interface FleetOptions {
  /** The orchestrator's HTTP URL (the agents connect to its /klp). */
  url: string;
  /** The server's data dir: keys, the admin token that mints the agent tokens, and the reports. */
  dataDir: string;
  /** Where the agents' log lines go, one short line each. */
  log: (line: string) => void;
  /** Which modules of examples/fleet to run (default: the three). */
  agents?: readonly string[];
  /** How long a drain may take before the process is killed (default 15 s). */
  stopTimeoutMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface FleetMember {
  name: string;
  module: string;
  pid: number;
  child: ChildProcess;
  /** Settles when the process has exited. */
  exited: Promise<Exit>;
}

export class Fleet {
  readonly members: readonly FleetMember[];
  private readonly stopTimeoutMs: number;
  /** Shared with the exit handlers: an exit after stop() is expected. */
  private readonly phase: { stopping: boolean };

  private constructor(members: FleetMember[], stopTimeoutMs: number, phase: { stopping: boolean }) {
    this.members = members;
    this.stopTimeoutMs = stopTimeoutMs;
    this.phase = phase;
  }

  /** Starts one process per agent; their stderr goes to `log`, an unexpected exit is said there too. */
  static spawn(opts: FleetOptions): Fleet {
    const names = opts.agents ?? FLEET_AGENTS;
    const width = Math.max(...names.map((n) => n.length));
    const env: NodeJS.ProcessEnv = { ...process.env, KOS_DATA_DIR: opts.dataDir };
    delete env.KOS_AGENT_TOKEN; // one token would be bound to one name: each agent gets its own
    const phase = { stopping: false };
    const members = names.map((name): FleetMember => {
      const module = `${FLEET_DIR}${name}.ts`;
      const cli = ['agent', 'run', module, '--url', opts.url, '--data-dir', opts.dataDir];
      // The IPC channel tells the agent when this process is gone, so it drains instead of lingering.
      const args = [...selfCommand(), ...cli, '--exit-with-parent'];
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      for (const stream of [child.stdout, child.stderr]) {
        if (stream !== null)
          createInterface({ input: stream }).on('line', (l) => opts.log(agentLine(name, l, width)));
      }
      const exited = new Promise<Exit>((resolve) => {
        // 'close', not 'exit': the last log lines are read by then.
        child.once('close', (code, signal) => {
          if (!phase.stopping) {
            opts.log(
              `${name.padEnd(width)} exited unexpectedly (${code === null ? signal : `exit ${code}`})`,
            );
          }
          resolve({ code, signal });
        });
        // A process that could not be started never exits: settle here instead.
        child.once('error', (e) => {
          if (child.pid !== undefined) return;
          opts.log(`${name.padEnd(width)} cannot start: ${e.message}`);
          resolve({ code: null, signal: null });
        });
      });
      return { name, module, pid: child.pid ?? -1, child, exited };
    });
    return new Fleet(members, opts.stopTimeoutMs ?? 15_000, phase);
  }

  /** The first member to exit, with its exit; never settles while all run. */
  firstExit(): Promise<FleetMember & Exit> {
    return Promise.race(this.members.map(async (m) => ({ ...m, ...(await m.exited) })));
  }

  /** SIGTERM (the agents drain: in-flight tasks finish), then SIGKILL what is still there later. */
  async stop(): Promise<void> {
    this.phase.stopping = true;
    await Promise.all(
      this.members.map(async (m) => {
        if (m.child.exitCode !== null || m.child.signalCode !== null) {
          await m.exited;
          return;
        }
        m.child.kill('SIGTERM');
        // A drain waits for the tasks in flight; one that outlasts the timeout is cut short.
        const timer = setTimeout(() => m.child.kill('SIGKILL'), this.stopTimeoutMs);
        await m.exited;
        clearTimeout(timer);
      }),
    );
  }
}
