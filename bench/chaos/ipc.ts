// Messages between the chaos runner and its agent processes (Node IPC channel).

/** How a chaos agent process finds the orchestrator and where it writes its execution records. */
export interface AgentProcessConfig {
  ws: string;
  http: string;
  adminToken: string;
  recordFile: string;
}

export interface AgentSpec {
  name: string;
  skills: string[];
  maxParallel: number;
  /** Its handler fails every task it gets with a retryable TaskFailure (a broken agent). */
  failing?: boolean;
}

export type ToAgentProcess = { kind: 'add'; agent: AgentSpec } | { kind: 'stop' };

export type FromAgentProcess =
  | { kind: 'ready' }
  | { kind: 'added'; name: string }
  | { kind: 'add-failed'; name: string; error: string }
  /** A handler in `hold` or `block` mode started (wall-clock `at`). */
  | { kind: 'started'; task: string; epoch: number; agent: string; at: number }
  /** A `hold` or `block` handler ended: it returned, or the SDK had aborted it. */
  | { kind: 'ended'; task: string; agent: string; outcome: 'returned' | 'aborted'; at: number }
  /** What became of a result the SDK reported: acknowledged, or refused with a code. */
  | { kind: 'result'; task: string; agent: string; delivered: boolean; code: string | null };

/**
 * What a chaos task does, from its input. `holder` names the agent the trick is meant for: any
 * other agent (the one the task is reassigned to) just returns at once.
 * - `work`: sleeps `ms`, checks its upstream results against `deps`, returns;
 * - `hold`: the holder tells the runner it started, then waits until the lease is taken back —
 *   a task to be killed in;
 * - `block`: the holder tells the runner it started, then blocks its event loop (no timers, no
 *   I/O, no heartbeats) until the file `release` exists, then returns — a handler computing
 *   when its process is frozen (SIGSTOP), or one that hogs the loop past its lease.
 */
export type ChaosInput =
  | { mode: 'work'; ms: number; deps?: string[] }
  | { mode: 'hold'; holder: string }
  | { mode: 'block'; holder: string; release: string };

/** The result every chaos handler returns: who ran which task. */
export interface ChaosResult {
  by: string;
  name: string;
}
