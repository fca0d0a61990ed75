import type { HeldBackCode, Task, TaskState, TaskWaiting } from './task.ts';

/**
 * Why a task waits (docs/scheduling.md#why-a-task-waits). An assignment round gives a reason for
 * every ready task it leaves behind; the task keeps the latest one that says more than "it waits
 * its turn" (`TaskWaiting`, stored in the round's transaction, so every replica reads it), and
 * loses it when it changes state. The other waiting states say why by themselves.
 */

/**
 * What a round says of a ready task it left behind: a held-back reason; `queued`, an agent able
 * to take it is busy; `not_reached`, the round ran out of free slots before it looked at the task.
 */
export type RoundReasonCode = HeldBackCode | 'queued' | 'not_reached';

export interface RoundReason {
  code: RoundReasonCode;
  /** For a person: "no active agent has skill gpu", "goal g1 is at its limit of 2 leased tasks". */
  message: string;
}

/** Every reason a task view may show; see `waitingReason`. */
export type WaitingCode = HeldBackCode | 'queued' | 'dependencies' | 'approval' | 'backoff';

export interface WaitingReason {
  code: WaitingCode;
  message: string;
  /** When a round first gave the reason; null for the reasons a state gives. */
  since: number | null;
}

const QUEUED = 'waiting in the ready queue for a free agent slot';

/**
 * What a round's reason leaves on the task: a new record, null to clear the stored one, or
 * undefined when nothing changes. So a round writes a task only when its reason changed: a reason
 * given again keeps its `since`, a task the round did not reach keeps what it had, and a task that
 * only waits for a busy agent (the usual wait of a saturated fleet) is stored as none at all.
 */
export function nextWaiting(
  current: TaskWaiting | null,
  reason: RoundReason,
  now: number,
): TaskWaiting | null | undefined {
  if (reason.code === 'not_reached') return undefined;
  if (reason.code === 'queued') return current === null ? undefined : null;
  if (current !== null && current.code === reason.code && current.message === reason.message) {
    return undefined;
  }
  return { code: reason.code, message: reason.message, since: now };
}

/** Why the task waits now, or null when it does not wait (leased, running, finished). */
export function waitingReason(
  task: Pick<Task, 'state' | 'waiting' | 'pendingDeps' | 'policy'>,
): WaitingReason | null {
  switch (task.state) {
    case 'ready':
      return task.waiting ?? { code: 'queued', message: QUEUED, since: null };
    case 'pending':
      return { code: 'dependencies', message: dependenciesMessage(task), since: null };
    case 'awaiting_approval':
      return { code: 'approval', message: 'waiting for an operator to approve or deny it', since: null };
    case 'retrying':
      return { code: 'backoff', message: 'waiting out the retry delay after a failed attempt', since: null };
    default:
      return null;
  }
}

function dependenciesMessage(task: Pick<Task, 'pendingDeps' | 'policy'>): string {
  if (task.policy.runWhen === 'failed') return 'an on_failure branch: runs only if a dependency dies';
  const n = task.pendingDeps;
  return `waiting for ${n} ${n === 1 ? 'dependency' : 'dependencies'} to succeed`;
}

/** The waiting states and the reason each gives by itself (ready: `queued` unless held back). */
const STATE_CODES: readonly [TaskState, WaitingCode][] = [
  ['pending', 'dependencies'],
  ['awaiting_approval', 'approval'],
  ['retrying', 'backoff'],
];

/**
 * Waiting tasks by reason, from the task counts by state and the ready tasks' stored reasons by
 * code (read in one go, so at most a round apart on PostgreSQL: `queued` never goes below 0).
 */
export function waitingCounts(
  byState: Partial<Record<TaskState, number>>,
  heldBack: Partial<Record<HeldBackCode, number>>,
): Partial<Record<WaitingCode, number>> {
  const counts: Partial<Record<WaitingCode, number>> = {};
  const held = Object.values(heldBack).reduce<number>((s, n) => s + (n ?? 0), 0);
  const queued = Math.max(0, (byState.ready ?? 0) - held);
  if (queued > 0) counts.queued = queued;
  for (const [code, n] of Object.entries(heldBack) as [HeldBackCode, number][]) if (n > 0) counts[code] = n;
  for (const [state, code] of STATE_CODES) {
    const n = byState[state] ?? 0;
    if (n > 0) counts[code] = n;
  }
  return counts;
}
