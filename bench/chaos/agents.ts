// The runner's side of a chaos agent process: fork it, add agents, hear what it reports, and
// break it (kill -9, SIGSTOP/SIGCONT).
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentProcessConfig, AgentSpec, FromAgentProcess, ToAgentProcess } from './ipc.ts';

const SCRIPT = fileURLToPath(new URL('./agent-process.ts', import.meta.url));

type Started = Extract<FromAgentProcess, { kind: 'started' }>;
type ResultOutcome = Extract<FromAgentProcess, { kind: 'result' }>;
type Ended = Extract<FromAgentProcess, { kind: 'ended' }>;

export class AgentProcess {
  private readonly results = new Map<string, ResultOutcome[]>();
  private readonly startedTasks = new Map<string, Started>();
  private readonly endedTasks = new Map<string, Ended[]>();
  /** Callers waiting for a message: one listener on the child serves them all. */
  private readonly waiters = new Set<{
    match(m: FromAgentProcess): boolean;
    resolve(m: FromAgentProcess): void;
    reject(e: Error): void;
  }>();
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly recordFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => {
      for (const w of this.waiters)
        w.reject(new Error(`agent process exited (${code ?? signal}) while the runner waited on it`));
      this.waiters.clear();
    });
    child.on('message', (m: FromAgentProcess) => {
      for (const w of this.waiters) {
        if (!w.match(m)) continue;
        this.waiters.delete(w);
        w.resolve(m);
      }
      if (m.kind === 'started') this.startedTasks.set(m.task, m);
      if (m.kind === 'ended') this.endedTasks.set(m.task, [...(this.endedTasks.get(m.task) ?? []), m]);
      if (m.kind === 'result') this.results.set(m.task, [...(this.results.get(m.task) ?? []), m]);
    });
  }

  /** Forks an agent process writing its execution records to `<recordDir>/<label>.jsonl`. */
  static async spawn(
    server: Omit<AgentProcessConfig, 'recordFile'>,
    recordDir: string,
    label: string,
  ): Promise<AgentProcess> {
    const recordFile = path.join(recordDir, `${label}.jsonl`);
    const config: AgentProcessConfig = { ...server, recordFile };
    const child = fork(SCRIPT, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const proc = new AgentProcess(child, recordFile);
    await proc.next((m) => m.kind === 'ready');
    return proc;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Adds SDK agents in this process; resolves once each is connected (welcome received). */
  async add(specs: readonly AgentSpec[]): Promise<void> {
    await Promise.all(
      specs.map(async (agent) => {
        const answer = this.next(
          (m) => (m.kind === 'added' || m.kind === 'add-failed') && m.name === agent.name,
        );
        this.send({ kind: 'add', agent });
        const m = await answer;
        if (m.kind === 'add-failed') throw new Error(`agent ${agent.name} did not start: ${m.error}`);
      }),
    );
  }

  /** Resolves when a `hold` or `block` handler of this process starts the task. */
  started(task: string): Promise<Started> {
    const seen = this.startedTasks.get(task);
    if (seen) return Promise.resolve(seen);
    return this.next((m) => m.kind === 'started' && m.task === task) as Promise<Started>;
  }

  /** Resolves when `agent`'s handler for the task ends (returned, or aborted by the SDK). */
  ended(task: string, agent: string): Promise<Ended> {
    const seen = this.endedTasks.get(task)?.find((r) => r.agent === agent);
    if (seen) return Promise.resolve(seen);
    return this.next((m) => m.kind === 'ended' && m.task === task && m.agent === agent) as Promise<Ended>;
  }

  /** What the SDK said became of `agent`'s results for the task so far (it says nothing about a
   * result whose task it had already dropped, e.g. after a rollback). */
  resultsOf(task: string, agent: string): ResultOutcome[] {
    return (this.results.get(task) ?? []).filter((r) => r.agent === agent);
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the whole process. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (this.alive) this.child.kill(signal);
  }

  /** kill -9, and waits until the process is gone. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Stops the agents cleanly (they disconnect) and waits for the process to exit. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.send({ kind: 'stop' });
    await this.exited;
  }

  private send(m: ToAgentProcess): void {
    this.child.send(m);
  }

  private next(match: (m: FromAgentProcess) => boolean): Promise<FromAgentProcess> {
    if (!this.alive) return Promise.reject(new Error('agent process is not running'));
    return new Promise((resolve, reject) => this.waiters.add({ match, resolve, reject }));
  }
}
