// The kOS side: a real orchestrator process (startServer) and agent processes over WebSocket.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { poll } from '@kos/testing';
import type { Http, ServerHandle } from '@kos/testing';
import type { ChildMessage } from '../ipc.ts';
import { nextMessage } from '../proc.ts';
import { startReplicas } from '../replicas.ts';

export type SqliteMode = 'FULL' | 'NORMAL';
/** A store setup: embedded SQLite per `synchronous` mode, or PostgreSQL with one or two replicas. */
export type KosMode = SqliteMode | 'PG' | 'PG2';

export const isPostgres = (mode: KosMode): boolean => mode === 'PG' || mode === 'PG2';

const AGENT_SCRIPT = fileURLToPath(new URL('../agent-process.ts', import.meta.url));

export interface KosServer {
  /** The first replica (the only one on SQLite). */
  server: ServerHandle;
  admin: Http;
  ws: string;
  /** Every replica's admin API and KLP URL: submit round-robin, spread agents. */
  apis: Http[];
  wsUrls: string[];
  /** Stops every replica and removes its data (and the PostgreSQL database). */
  stop(): Promise<void>;
}

export interface KosStartOptions {
  mode: KosMode;
  dataDir?: string;
  nodeArgs?: string[];
}

/** Node flags that write a CPU profile of a process to `dir` (bench --profile). */
export const profileArgs = (dir: string | undefined): string[] =>
  dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];

/** Starts the orchestrator(s) for a mode, with limits raised for big DAGs. */
export async function startKos(options: KosStartOptions): Promise<KosServer> {
  const postgres = isPostgres(options.mode);
  const replicas = await startReplicas({
    count: options.mode === 'PG2' ? 2 : 1,
    postgres,
    config: [
      ...(postgres ? [] : ['sqlite:', `  synchronous: ${options.mode}`]),
      'limits:',
      '  max_tasks_per_goal: 100000',
      '  max_body_bytes: 67108864',
    ],
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.nodeArgs === undefined ? {} : { nodeArgs: options.nodeArgs }),
  });
  return {
    server: replicas.servers[0]!,
    admin: replicas.apis[0]!,
    ws: replicas.wsUrls[0]!,
    apis: replicas.apis,
    wsUrls: replicas.wsUrls,
    stop: replicas.stop,
  };
}

export interface BenchTask {
  name: string;
  depends_on?: string[];
  input?: Record<string, unknown>;
}

/** Submits one goal as an explicit DAG; answers the task ids by name. */
export async function submitGoal(
  admin: Http,
  goal: string,
  tasks: readonly BenchTask[],
): Promise<Map<string, string>> {
  const res = await admin.post<{ subtasks: { id: string; name: string }[] }>('/orchestration/decompose', {
    goal,
    tasks: tasks.map((t) => ({ ...t, skills: ['noop'] })),
  });
  if (res.status !== 201) throw new Error(`kOS refused the goal: ${JSON.stringify(res.body).slice(0, 500)}`);
  return new Map(res.body.subtasks.map((t) => [t.name, t.id]));
}

export async function countSucceeded(admin: Http): Promise<number> {
  const s = await admin.get<{ tasks: { by_state: Record<string, number> } }>('/orchestration/status');
  return s.body.tasks.by_state.succeeded ?? 0;
}

export async function waitSucceeded(admin: Http, n: number, intervalMs = 20): Promise<void> {
  await poll(async () => (await countSucceeded(admin)) >= n, {
    timeoutMs: 900_000,
    intervalMs,
    what: `${n} kOS tasks to succeed`,
  });
}

/** The URLs starting at the k-th (mod n): process k's agents connect there first. */
const rotate = (urls: readonly string[], k: number): string[] => {
  const i = k % urls.length;
  return [...urls.slice(i), ...urls.slice(0, i)];
};

/** Agent processes, each running several SDK agents (process k first tries replica k mod n). */
export class AgentFleet {
  private readonly startedListeners = new Set<(task: string, at: number) => void>();

  private constructor(private readonly children: ChildProcess[]) {
    for (const child of children) {
      child.on('message', (m: ChildMessage) => {
        if (m.kind === 'started') for (const l of this.startedListeners) l(m.task, m.at);
      });
    }
  }

  static async spawn(
    kos: KosServer,
    processes: number,
    perProcess: number,
    parallel: number,
    profileDir?: string,
  ): Promise<AgentFleet> {
    const children = Array.from({ length: processes }, (_, p) =>
      fork(
        AGENT_SCRIPT,
        [
          rotate(kos.wsUrls, p).join(','),
          kos.server.url,
          kos.server.adminToken,
          `bench-p${p}`,
          String(perProcess),
          String(parallel),
        ],
        {
          execArgv: ['--import', 'tsx', ...profileArgs(profileDir)],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      ),
    );
    await Promise.all(children.map((c) => nextMessage(c, 'ready')));
    return new AgentFleet(children);
  }

  onStarted(listener: (task: string, at: number) => void): () => void {
    this.startedListeners.add(listener);
    return () => this.startedListeners.delete(listener);
  }

  /** How often each task ran since the last report, over every process, and chain-order breaches. */
  async report(): Promise<{ runs: Map<string, number>; breaches: string[] }> {
    const answers = await Promise.all(
      this.children.map((c) => {
        const answer = nextMessage(c, 'report');
        c.send({ kind: 'report' });
        return answer;
      }),
    );
    const runs = new Map<string, number>();
    const breaches: string[] = [];
    for (const a of answers) {
      if (a.kind !== 'report') continue;
      for (const [id, n] of a.runs) runs.set(id, (runs.get(id) ?? 0) + n);
      breaches.push(...a.breaches);
    }
    return { runs, breaches };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map((c) => {
        const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        if (c.exitCode === null) c.send({ kind: 'stop' });
        return exited;
      }),
    );
  }
}

/** Every expected task ran exactly once: the problems found, none when correct. */
export function exactlyOnce(expected: Iterable<string>, runs: ReadonlyMap<string, number>): string[] {
  const problems: string[] = [];
  let n = 0;
  for (const id of expected) {
    n++;
    const r = runs.get(id) ?? 0;
    if (r !== 1) problems.push(`task ${id} ran ${r} times`);
  }
  if (runs.size !== n) problems.push(`${runs.size} distinct tasks ran, ${n} expected`);
  return problems.slice(0, 10);
}

/**
 * Runs `fn` with an orchestrator and agent processes, and tears both down. With `profileDir`,
 * every one of those processes writes a CPU profile there.
 */
export async function withKos<T>(
  options: KosStartOptions & {
    processes: number;
    perProcess: number;
    parallel: number;
    profileDir?: string | undefined;
  },
  fn: (kos: KosServer, fleet: AgentFleet) => Promise<T>,
): Promise<T> {
  const { profileDir } = options;
  const kos = await startKos({
    ...options,
    nodeArgs: [...(options.nodeArgs ?? []), ...profileArgs(profileDir)],
  });
  try {
    const fleet = await AgentFleet.spawn(
      kos,
      options.processes,
      options.perProcess,
      options.parallel,
      profileDir,
    );
    try {
      return await fn(kos, fleet);
    } finally {
      await fleet.stop();
    }
  } finally {
    await kos.stop();
  }
}
