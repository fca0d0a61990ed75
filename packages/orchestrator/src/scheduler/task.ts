import type { Priority } from '@kos/protocol';
import type { TaskPolicy } from './policy.ts';
import { assertTransition, type TransitionTable } from './transitions.ts';

/**
 * Task lifecycle.
 * - `pending`           waits for its dependencies (to succeed, or to die for an on_failure branch)
 * - `awaiting_approval` waits for an operator to approve or deny it (arbitration)
 * - `ready`             may be assigned (from `availableAt` on)
 * - `leased`            assigned to an agent under a lease (epoch, TTL)
 * - `running`           the lease holder reported that it started or made progress
 * - `cancelling`        cancelled while leased: the holder was told to stop and has until its
 *                       lease deadline to acknowledge; any result it sends is rejected
 * - `retrying`          a failed attempt waits out its backoff delay before it is ready again
 * - `succeeded`         completed by the current lease holder (final)
 * - `dead`              failed for good: attempts exhausted, a non-retryable error, or denied.
 *                       The dead-letter state: only an operator's retry moves it on.
 * - `cancelled`         cancelled, skipped (a branch not taken) or ended with its goal. An
 *                       operator's retry of a dead task may reopen the tasks its death cancelled.
 */
export type TaskState =
  | 'pending'
  | 'awaiting_approval'
  | 'ready'
  | 'leased'
  | 'running'
  | 'cancelling'
  | 'retrying'
  | 'succeeded'
  | 'dead'
  | 'cancelled';

export const TASK_TRANSITIONS: TransitionTable<TaskState> = {
  pending: ['ready', 'awaiting_approval', 'cancelled'],
  awaiting_approval: ['ready', 'dead', 'cancelled'],
  // ready → retrying/dead: its schedule-to-start timeout expired (→ awaiting_approval: a failure
  // the policy routes to an operator).
  ready: ['leased', 'retrying', 'dead', 'cancelled', 'awaiting_approval'],
  // leased/running → ready: the lease was revoked (holder lost) and the task goes straight back;
  // → awaiting_approval: a failure the policy routes to an operator.
  leased: [
    'running',
    'succeeded',
    'retrying',
    'ready',
    'dead',
    'cancelling',
    'cancelled',
    'awaiting_approval',
  ],
  running: ['succeeded', 'retrying', 'ready', 'dead', 'cancelling', 'cancelled', 'awaiting_approval'],
  cancelling: ['cancelled'],
  retrying: ['ready', 'cancelled'],
  succeeded: [],
  dead: ['ready'],
  cancelled: ['pending', 'ready'],
};

/** States a task rests in until something outside the run moves it (goal counts settle on them). */
export const TERMINAL_TASK_STATES: readonly TaskState[] = ['succeeded', 'dead', 'cancelled'];
/** States in which an agent holds the task's lease (and a slot of its capacity). */
export const LEASED_TASK_STATES: readonly TaskState[] = ['leased', 'running', 'cancelling'];
/** States a task can still leave on its own: every state but the terminal ones. */
export const OPEN_TASK_STATES: readonly TaskState[] = [
  'pending',
  'awaiting_approval',
  'ready',
  'leased',
  'running',
  'cancelling',
  'retrying',
];

export function isLeased(s: TaskState): boolean {
  return LEASED_TASK_STATES.includes(s);
}

export function isTerminalTask(s: TaskState): boolean {
  return TERMINAL_TASK_STATES.includes(s);
}

/** One hop of a delegation chain: an agent declined the task or handed it to another. */
export interface Delegation {
  agentId: string;
  action: 'declined' | 'delegated';
  reason: string;
  /** For `delegated`: the agent (id or name) it asked to take over, if it named one. */
  to: string | null;
  at: number;
}

/** Why an attempt failed, as reported by the agent or decided by the orchestrator. */
export interface TaskError {
  code: string;
  message: string;
  retryable: boolean;
}

/** Reasons a round holds a ready task back with; it keeps the latest (scheduler/waiting.ts). */
export type HeldBackCode =
  'missing_skills' | 'no_capable_agent' | 'bound_agent' | 'goal_limit' | 'concurrency_limit';

/** The latest held-back reason a round gave a ready task, and when a round first gave it. */
export interface TaskWaiting {
  code: HeldBackCode;
  /** For a person: "no active agent has skill gpu", "goal g1 is at its limit of 2 leased tasks". */
  message: string;
  since: number;
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
  /** Retry, timeouts, approval, fallback, concurrency and branch policy, resolved at submission. */
  policy: TaskPolicy;
  /**
   * The running timeout, by state: while ready, the schedule-to-start deadline; while leased or
   * running, the start-to-close deadline. Null when the policy sets none.
   */
  deadlineAt: number | null;
  /** Declines and delegations so far, oldest first (loop detection and the depth limit). */
  delegations: Delegation[];
  /**
   * While ready: the latest reason a round held it back with (scheduler/waiting.ts), written by
   * rounds only when it changes; null otherwise. Every state change clears it.
   */
  waiting: TaskWaiting | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** Returns the task in state `to`, or throws KOS_ERR_ILLEGAL_TRANSITION. */
export function moveTask(task: Task, to: TaskState, now: number): Task {
  assertTransition(TASK_TRANSITIONS, 'task', task.id, task.state, to);
  return { ...task, state: to, waiting: null, updatedAt: now, finishedAt: isTerminalTask(to) ? now : null };
}
