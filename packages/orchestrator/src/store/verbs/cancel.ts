import { KosError } from '@kos/protocol';
import { isTerminalTask, type Task } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { recordOutcome } from './health.ts';
import { afterSkip } from './settle.ts';
import { getTaskOrThrow, stopTask, transition } from './task-flow.ts';

/**
 * Cancellation with a deadline. A task cancelled while leased is `cancelling`: its holder keeps
 * the lease (and its slot) until `cancellation.grace_ms` from now, is sent a rollback carrying
 * that deadline (`ack_by`), and answers with a rollback of its own once its handler has stopped.
 * That acknowledgement ends the task as `cancelled` with no penalty. Any result, progress or
 * hand-off for the task meanwhile is refused (KOS_ERR_TASK_CANCELLED) and not applied. If the
 * deadline passes first, the expired-lease sweep revokes the lease, the task is `cancelled` and
 * the holder's trust is lowered as for a lost lease; its late result then finds the task finished.
 */

/**
 * Cancels one task of a running goal (a user's request). Its dependents can no longer run: they
 * are skipped (cancelled, counted in the goal's skippedCount) transitively, and the goal finishes
 * once every task settled, as when a task dies under the `continue` policy (verbs/settle.ts). The
 * cancelled task counts as skipped too; a goal whose other tasks all succeed ends `succeeded`.
 */
export async function cancelTask(
  tx: Tx,
  ctx: VerbContext,
  taskId: string,
  reason: string,
): Promise<{ task: Task }> {
  const events = new EventBatch(ctx);
  const task = await getTaskOrThrow(tx, taskId);
  if (isTerminalTask(task.state) || task.state === 'cancelling') {
    throw new KosError(
      'KOS_ERR_TASK_FINISHED',
      `task ${taskId} is ${task.state}: there is nothing to cancel`,
      {
        subtask_uuid: taskId,
        state: task.state,
      },
    );
  }
  // The code tells a user's cancel from a skip (`skipped.*`), which an operator's retry may reopen.
  const error = { code: 'cancelled', message: reason, retryable: false };
  const stopped = stopTask(task, ctx, events, { error }, { reason });
  await tx.putTask(stopped);
  await afterSkip(tx, stopped, ctx, events);
  await events.flush(tx);
  return { task: stopped };
}

/**
 * Ends the lease of a task being cancelled. `acknowledged`: its holder gave it back (the stop
 * acknowledgement, or a handover) by the grace deadline, so the cancel is complete with no
 * penalty. Otherwise the deadline passed (an acknowledgement after it counts as none) or the holder
 * was lost: the lease is revoked and the holder's trust lowered as for a lost lease.
 */
export async function endCancelling(
  tx: Tx,
  task: Task,
  acknowledged: boolean,
  reason: string,
  ctx: VerbContext,
  events: EventBatch,
): Promise<Task> {
  const late = task.leaseExpiresAt !== null && ctx.now > task.leaseExpiresAt;
  if (acknowledged && !late) {
    await recordOutcome(tx, task, 'returned', ctx, events); // frees a half-open breaker's probe slot
  } else {
    const why = acknowledged ? 'lease_expired' : reason;
    events.add({
      kind: 'task.lease_revoked',
      goalId: task.goalId,
      taskId: task.id,
      agentId: task.agentId,
      data: { reason: why, epoch: task.epoch, attempt: task.attempts, cancelling: true },
    });
    await recordOutcome(tx, task, 'lost', ctx, events);
  }
  const data = acknowledged && !late ? { reason: 'acknowledged' } : { reason, acknowledged: false };
  const cancelled = transition(task, 'cancelled', ctx, events, { leaseExpiresAt: null }, data);
  await tx.putTask(cancelled);
  return cancelled;
}

/** A task being cancelled takes no result, progress or hand-off: its holder must stop. */
export function assertNotCancelling(task: Task): void {
  if (task.state !== 'cancelling') return;
  throw new KosError(
    'KOS_ERR_TASK_CANCELLED',
    `task ${task.id} is being cancelled: stop it and acknowledge with a rollback; the report was not applied`,
    { subtask_uuid: task.id, epoch: task.epoch, ack_by: task.leaseExpiresAt },
  );
}
