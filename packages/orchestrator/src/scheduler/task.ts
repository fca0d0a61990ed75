import type { Priority } from '@kos/protocol';
import { assertTransition, type TransitionTable } from './transitions.ts';

/**
 * Task lifecycle.
 * - `pending`   waits for its dependencies to succeed
 * - `ready`     may be assigned (from `availableAt` on)
 * - `leased`    assigned to an agent under a lease (epoch, TTL)
 * - `running`   the lease holder reported that it started or made progress
 * - `retrying`  a failed attempt waits out its backoff delay before it is ready again
 * - `succeeded` completed by the current lease holder (terminal)
 * - `dead`      failed for good: attempts exhausted or a non-retryable error (terminal)
 * - `cancelled` its goal was cancelled or failed before it ran (terminal)
 */
export type TaskState =
  'pending' | 'ready' | 'leased' | 'running' | 'retrying' | 'succeeded' | 'dead' | 'cancelled';

export const TASK_TRANSITIONS: TransitionTable<TaskState> = {
  pending: ['ready', 'cancelled'],
  ready: ['leased', 'cancelled'],
  // leased/running → ready: the lease was revoked (holder lost) and the task goes straight back.
  leased: ['running', 'succeeded', 'retrying', 'ready', 'dead', 'cancelled'],
  running: ['succeeded', 'retrying', 'ready', 'dead', 'cancelled'],
  retrying: ['ready', 'cancelled'],
  succeeded: [],
  dead: [],
  cancelled: [],
};

export const TERMINAL_TASK_STATES: readonly TaskState[] = ['succeeded', 'dead', 'cancelled'];
/** States in which an agent holds the task's lease. */
export const LEASED_TASK_STATES: readonly TaskState[] = ['leased', 'running'];
/** States a task can still leave: every state but the terminal ones. */
export const OPEN_TASK_STATES: readonly TaskState[] = ['pending', 'ready', 'leased', 'running', 'retrying'];

export function isLeased(s: TaskState): boolean {
  return LEASED_TASK_STATES.includes(s);
}

export function isTerminalTask(s: TaskState): boolean {
  return TERMINAL_TASK_STATES.includes(s);
}

/** Why an attempt failed, as reported by the agent or decided by the orchestrator. */
export interface TaskError {
  code: string;
  message: string;
  retryable: boolean;
}

export interface Task {
  id: string;
  goalId: string;
  /** Unique within its goal; dependencies are declared by name and stored by id. */
  name: string;
  skills: string[];
  priority: Priority;
  estimatedDurationMs: number;
  dependsOn: string[];
  /** Dependencies that have not succeeded yet; the task becomes ready when this reaches 0. */
  pendingDeps: number;
  input: unknown;
  state: TaskState;
  /** Attempts started so far (a lease counts as an attempt). */
  attempts: number;
  maxAttempts: number;
  /** Fencing token: incremented on every lease; only the current epoch may report. */
  epoch: number;
  agentId: string | null;
  leaseExpiresAt: number | null;
  /** When the current (or last) lease was granted: run time for per-skill stats. */
  leasedAt: number | null;
  /** When the task may next be assigned (retry backoff), epoch ms. */
  availableAt: number;
  /** Sort key of the ready queue: availableAt + tier × aging step (lower runs first). */
  readyKey: number;
  /** The agent of the previous attempt and whether it failed: feeds fallback/cross-agent policies. */
  lastAgentId: string | null;
  /** Last progress the holder reported (0–100), and its checkpoint, handed to the next attempt. */
  progress: number | null;
  checkpoint: unknown;
  result: unknown;
  error: TaskError | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** Returns the task in state `to`, or throws KOS_ERR_ILLEGAL_TRANSITION. */
export function moveTask(task: Task, to: TaskState, now: number): Task {
  assertTransition(TASK_TRANSITIONS, 'task', task.id, task.state, to);
  return { ...task, state: to, updatedAt: now, finishedAt: isTerminalTask(to) ? now : task.finishedAt };
}
