import { isLeased, type Task, type TaskError } from '../../scheduler/task.ts';
import type { AgentCaller } from '../../registry/identity.ts';
import type { Tx } from '../backend.ts';
import { assertNotCancelling, endCancelling } from './cancel.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { failAttempt } from './failure.ts';
import { recordOutcome } from './health.ts';
import { judgePlanningResult } from './planning.ts';
import { afterSuccess } from './settle.ts';
import { assertLeaseHolder, lockedTask, toReady, transition } from './task-flow.ts';

/** Why a lease ended before its holder reported a result. */
export type RevokeReason =
  'agent_lost' | 'agent_unregistered' | 'agent_quarantined' | 'lease_expired' | 'returned' | 'handed_back';

/** The error a task dies with when a lease ended this way on its last attempt. */
const LAST_ATTEMPT_CODE: Record<RevokeReason, string> = {
  agent_lost: 'agent_lost',
  agent_unregistered: 'agent_unregistered',
  agent_quarantined: 'agent_quarantined',
  lease_expired: 'timeout.heartbeat',
  returned: 'returned',
  handed_back: 'handed_back',
};

/** Leases the holder gave back itself: not held against its trust. */
const VOLUNTARY: ReadonlySet<RevokeReason> = new Set(['returned', 'handed_back']);

export interface Report extends AgentCaller {
  taskId: string;
  epoch?: number | undefined;
  /** KLP receipt (digest and chain head) kept with the transition in the event log. */
  receipt?: Record<string, unknown> | undefined;
}

/**
 * What the result's transition keeps as its proof: the KLP receipt, or a mark that it came
 * without one (a REST report), so the audit lists it as unproven instead of passing over it.
 */
function proofOf(report: Report): Record<string, unknown> {
  return report.receipt === undefined ? { unattested: true } : { receipt: report.receipt };
}

/**
 * The lease holder reports success: the task succeeds exactly once; dependents may become ready
 * (on_failure branches that can no longer run are skipped).
 */
export async function completeTask(
  tx: Tx,
  ctx: VerbContext,
  report: Report & { result: unknown },
): Promise<Task> {
  const events = new EventBatch(ctx);
  const task = await lockedTask(tx, report);
  assertLeaseHolder(task, report.agentId, report.epoch);
  assertNotCancelling(task);
  const done = transition(
    task,
    'succeeded',
    ctx,
    events,
    { result: report.result, leaseExpiresAt: null, error: null },
    proofOf(report),
  );
  await tx.putTask(done);
  await recordOutcome(tx, task, 'succeeded', ctx, events);
  await afterSuccess(tx, done, ctx, events);
  // A task of a goal in planning is a planning round: its result is a proposal to judge.
  await judgePlanningResult(tx, done, ctx, events);
  await events.flush(tx);
  return done;
}

/**
 * The lease holder reports failure: retried after the task's backoff delay while attempts remain
 * and the error is retryable; otherwise awaiting approval (approval.on_failure) or dead, and the
 * goal's policy decides what happens to the rest (failure.ts).
 */
export async function failTask(
  tx: Tx,
  ctx: VerbContext,
  report: Report & { error: TaskError },
): Promise<{ task: Task }> {
  const events = new EventBatch(ctx);
  const task = await lockedTask(tx, report);
  assertLeaseHolder(task, report.agentId, report.epoch);
  assertNotCancelling(task);
  const outcome = await failAttempt(tx, task, report.error, ctx, events, proofOf(report));
  // After the task's own events, so the log reads cause (the failure) before effect (a quarantine).
  await recordOutcome(tx, task, 'failed', ctx, events);
  await events.flush(tx);
  return outcome;
}

/**
 * Ends a lease the holder can no longer honour (agent lost, unregistered, lease expired: the
 * heartbeat timeout), or one it gives back (returned, handed back). The attempt counts: the task
 * goes straight back to ready without a backoff delay (losing a holder says nothing about the
 * task), or, on its last attempt, fails for good (awaiting approval or dead by its policy).
 * Unless the holder gave it back itself, the revocation is one of the transaction's effects, so
 * the holder is told to stop once it commits. Returns the task after the change, or null when
 * the lease had ended already.
 */
export async function revokeLease(
  tx: Tx,
  listed: Task,
  reason: RevokeReason,
  ctx: VerbContext,
  events: EventBatch,
): Promise<Task | null> {
  // Callers pass rows listed earlier in the transaction; an earlier revocation of the same verb
  // may have ended this lease already (its goal failed fast), so act on the current row.
  const current = await tx.getTask(listed.id);
  if (!current || current.epoch !== listed.epoch || !isLeased(current.state)) return null;
  const after = await endLease(tx, current, reason, ctx, events);
  if (!VOLUNTARY.has(reason) && current.agentId !== null) {
    ctx.effects.revoked(after, { agentId: current.agentId, epoch: current.epoch });
  }
  return after;
}

async function endLease(
  tx: Tx,
  task: Task,
  reason: RevokeReason,
  ctx: VerbContext,
  events: EventBatch,
): Promise<Task> {
  // A task being cancelled ends cancelled: given back, it is the holder's acknowledgement.
  if (task.state === 'cancelling') {
    return endCancelling(tx, task, VOLUNTARY.has(reason), reason, ctx, events);
  }
  events.add({
    kind: 'task.lease_revoked',
    goalId: task.goalId,
    taskId: task.id,
    agentId: task.agentId,
    data: { reason, epoch: task.epoch, attempt: task.attempts },
  });
  await recordOutcome(tx, task, VOLUNTARY.has(reason) ? 'returned' : 'lost', ctx, events);
  if (task.attempts >= task.maxAttempts) {
    const error: TaskError = {
      code: LAST_ATTEMPT_CODE[reason],
      message: `lease ended (${reason}) on the last attempt (${task.attempts}/${task.maxAttempts})`,
      retryable: false,
    };
    return (await failAttempt(tx, task, error, ctx, events, { reason })).task;
  }
  const ready = toReady({ ...task, lastAgentId: task.agentId }, ctx, events, { reason });
  await tx.putTask(ready);
  return ready;
}

/** Periodic duty: leases past their TTL are revoked. Returns how many. */
export async function sweepExpiredLeases(tx: Tx, ctx: VerbContext, limit = 1000): Promise<number> {
  const events = new EventBatch(ctx);
  const expired = await tx.listExpiredLeases(ctx.now, limit);
  for (const task of expired) await revokeLease(tx, task, 'lease_expired', ctx, events);
  await events.flush(tx);
  return expired.length;
}

/** Periodic duty: retrying tasks whose backoff delay has passed become ready. */
export async function promoteDueRetries(tx: Tx, ctx: VerbContext, limit = 1000): Promise<number> {
  const events = new EventBatch(ctx);
  const due = await tx.listDueRetries(ctx.now, limit);
  for (const task of due) await tx.putTask(toReady(task, ctx, events));
  await events.flush(tx);
  return due.length;
}
