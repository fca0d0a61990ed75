import type { TaskError } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { failAttempt } from './failure.ts';
import { recordOutcome } from './health.ts';

/** Error codes of attempts that ran out of time (the heartbeat timeout is a lease expiry: leases.ts). */
export const TIMEOUT = {
  scheduleToStart: 'timeout.schedule_to_start',
  startToClose: 'timeout.start_to_close',
} as const;

/**
 * Periodic duty: tasks past their timeout deadline fail the attempt and follow their retry policy.
 * A ready task not leased within schedule_to_start_ms counts an attempt that never started; a
 * leased or running task without a result within start_to_close_ms loses its lease, and the
 * holder is told to stop once the sweep commits (its late result is refused by the epoch).
 */
export async function sweepTimeouts(tx: Tx, ctx: VerbContext, limit = 1000): Promise<void> {
  const events = new EventBatch(ctx);
  for (const listed of await tx.listDueDeadlines(ctx.now, limit)) {
    // An earlier timeout of this sweep may have ended this task too (its goal failed fast).
    const task = await tx.getTask(listed.id);
    if (!task || task.state !== listed.state || task.deadlineAt === null || task.deadlineAt >= ctx.now)
      continue;
    if (task.state === 'ready') {
      const ms = task.policy.timeouts.scheduleToStartMs;
      const error = timeoutError(TIMEOUT.scheduleToStart, `not leased within ${ms} ms of being ready`);
      // The attempt counts although no agent started it, so a task no agent takes ends.
      await failAttempt(tx, { ...task, attempts: task.attempts + 1 }, error, ctx, events);
      continue;
    }
    const ms = task.policy.timeouts.startToCloseMs;
    const error = timeoutError(TIMEOUT.startToClose, `no result within ${ms} ms of the lease`);
    events.add({
      kind: 'task.lease_revoked',
      goalId: task.goalId,
      taskId: task.id,
      agentId: task.agentId,
      data: { reason: TIMEOUT.startToClose, epoch: task.epoch, attempt: task.attempts },
    });
    await recordOutcome(tx, task, 'timed_out', ctx, events);
    const { task: after } = await failAttempt(tx, task, error, ctx, events);
    if (task.agentId !== null) ctx.effects.revoked(after, { agentId: task.agentId, epoch: task.epoch });
  }
  await events.flush(tx);
}

function timeoutError(code: string, message: string): TaskError {
  return { code, message, retryable: true };
}
