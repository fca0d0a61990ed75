import type { Logger } from './logger.ts';

/** A task as a handler sees it. */
export interface AgentTask {
  id: string;
  goalId: string;
  name: string;
  skills: readonly string[];
  input: unknown;
  /** The lease's fencing token: results are accepted only for the current epoch. */
  epoch: number;
  /** 1 for the first attempt. */
  attempt: number;
  /** When the lease expires (epoch ms) unless heartbeats renew it, which the SDK does. */
  deadline: number;
  /** Results of the tasks this one depends on, by task name (empty without dependencies). */
  upstream: Readonly<Record<string, unknown>>;
}

export interface TaskContext {
  input: unknown;
  /** Results of the tasks this one depends on, by task name. */
  upstream: Readonly<Record<string, unknown>>;
  attempt: number;
  /** The last checkpoint stored for this task (by an earlier attempt too), or null. */
  checkpoint: unknown;
  /**
   * Reports progress (0–100), which renews the lease and shows in the task view. Without a
   * checkpoint it goes as a `pulse`, cheap enough to call per item (the orchestrator writes at most
   * one per klp.pulse_write_interval_ms); with one, as a STATUS_UPDATE that stores the checkpoint
   * durably and hands it to a later attempt.
   */
  progress(pct: number, message?: string, checkpoint?: unknown): Promise<void>;
  /** Aborts when the task is cancelled or rolled back, its lease is lost, or the agent stops:
   * stop working, whatever the handler returns then is dropped. On a cancel the SDK tells the
   * orchestrator the task stopped once the handler returns or throws; a handler still running at
   * the cancel's deadline (cancellation.grace_ms) loses the lease and lowers the agent's trust. */
  signal: AbortSignal;
  log: Logger;
}

/** Returns the task's output (any JSON value) or throws (a `TaskFailure` to choose retry). */
export type TaskHandler = (task: AgentTask, ctx: TaskContext) => unknown;
