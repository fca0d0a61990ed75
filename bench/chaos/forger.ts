// The runner's side of a forging agent process (forger-process.ts): connect agents by hand, hear
// the leases they are pushed, and have them send a forged frame.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AgentProcessConfig } from './ipc.ts';

const SCRIPT = fileURLToPath(new URL('./forger-process.ts', import.meta.url));

/** The forged frames a forger can send (forger-process.ts says what each is). */
export const FORGERIES = ['bad-signature', 'broken-chain', 'identity'] as const;
export type Forgery = (typeof FORGERIES)[number];

/** What each forgery must be refused as. */
export const FORGERY_CODES: Record<Forgery, string> = {
  'bad-signature': 'KOS_ERR_BAD_SIGNATURE',
  'broken-chain': 'KOS_ERR_CHAIN_MISMATCH',
  identity: 'KOS_ERR_IDENTITY_MISMATCH',
};

export type ForgerConfig = Omit<AgentProcessConfig, 'recordFile'>;

export type ToForger =
  | { kind: 'connect'; name: string; skills: string[] }
  | { kind: 'forge'; name: string; forgery: Forgery }
  | { kind: 'stop' };

export type FromForger =
  | { kind: 'ready' }
  | { kind: 'failed'; name: string; error: string }
  /** The answer to a hello: welcomed (agentId), or refused with `code`. */
  | { kind: 'hello'; name: string; agentId: string | null; code: string | null; at: number }
  /** A lease pushed to `name` (wall-clock `at`). */
  | { kind: 'task'; name: string; task: string; epoch: number; at: number }
  /**
   * A forged frame was sent at `sentAt` (wall clock). `held`: the leases a snapshot answered
   * just before (null if the honest heartbeat before it was refused); `alert`: the code of the
   * SECURITY_ALERT that followed; `closeCode`: how the orchestrator closed the socket.
   */
  | {
      kind: 'forged';
      name: string;
      held: string[] | null;
      sentAt: number;
      alert: string | null;
      closeCode: number | null;
    };

type Reply<K extends FromForger['kind']> = Extract<FromForger, { kind: K }>;

export class ForgerProcess {
  private readonly tasks = new Map<string, Reply<'task'>>();
  private readonly waiters = new Set<{ match(m: FromForger): boolean; resolve(m: FromForger): void }>();
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (m: FromForger) => {
      if (m.kind === 'task') this.tasks.set(m.task, m);
      for (const w of this.waiters) {
        if (!w.match(m)) continue;
        this.waiters.delete(w);
        w.resolve(m);
      }
    });
  }

  static async spawn(server: ForgerConfig): Promise<ForgerProcess> {
    const child = fork(SCRIPT, [JSON.stringify(server)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const proc = new ForgerProcess(child);
    await proc.next((m) => m.kind === 'ready');
    return proc;
  }

  /** Says hello as `name` (binding it to a fresh key the first time); answers the outcome. */
  connect(name: string, skills: string[]): Promise<Reply<'hello'>> {
    return this.ask({ kind: 'connect', name, skills }, 'hello', name);
  }

  /** Has `name` prove its session sound, then send the forged frame; answers what followed. */
  forge(name: string, forgery: Forgery): Promise<Reply<'forged'>> {
    return this.ask({ kind: 'forge', name, forgery }, 'forged', name);
  }

  /** Resolves when the task is pushed to one of its agents. */
  leased(task: string): Promise<Reply<'task'>> {
    const seen = this.tasks.get(task);
    if (seen) return Promise.resolve(seen);
    return this.next((m) => m.kind === 'task' && m.task === task) as Promise<Reply<'task'>>;
  }

  /** Every lease pushed to `name` so far. */
  leasesOf(name: string): Reply<'task'>[] {
    return [...this.tasks.values()].filter((t) => t.name === name);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.send({ kind: 'stop' } satisfies ToForger);
    await this.exited;
  }

  private async ask<K extends 'hello' | 'forged'>(m: ToForger, kind: K, name: string): Promise<Reply<K>> {
    const answer = this.next(
      (r) => (r.kind === kind || r.kind === 'failed') && 'name' in r && r.name === name,
    );
    this.child.send(m);
    const r = await answer;
    if (r.kind === 'failed') throw new Error(`forger ${name}: ${r.error}`);
    return r as Reply<K>;
  }

  private next(match: (m: FromForger) => boolean): Promise<FromForger> {
    return new Promise((resolve) => this.waiters.add({ match, resolve }));
  }
}
