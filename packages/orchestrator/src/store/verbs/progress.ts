import { leaseTtlMs } from '../../scheduler/policy.ts';
import type { Task } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { assertNotCancelling } from './cancel.ts';
import { revokeLease, type Report } from './leases.ts';
import { assertLeaseHolder, lockedTask, transition } from './task-flow.ts';

/**
 * The holder reports progress (KLP STATUS_UPDATE): the task is running, its lease is renewed, and
 * a checkpoint, when given, is stored durably and handed to the next attempt if this one fails.
 */
export async function reportProgress(
  tx: Tx,
  ctx: VerbContext,
  report: Report & { progress: number; checkpoint?: unknown },
): Promise<Task> {
  const events = new EventBatch(ctx);
  const task = await lockedTask(tx, report);
  assertLeaseHolder(task, report.agentId, report.epoch);
  // Progress would renew the lease past the grace deadline of a cancel.
  assertNotCancelling(task);
  const patch: Partial<Task> = {
    progress: report.progress,
    // A sign of life renews the heartbeat timeout; the start-to-close deadline stays.
    leaseExpiresAt: ctx.now + leaseTtlMs(task.policy, ctx.config.leases.ttlMs),
    ...(report.checkpoint === undefined ? {} : { checkpoint: report.checkpoint }),
  };
  const updated =
    task.state === 'leased' ? transition(task, 'running', ctx, events, patch) : { ...task, ...patch };
  await tx.putTask(updated);
  await events.flush(tx);
  return updated;
}

/**
 * The holder gives a task back (KLP rollback): the attempt counts and the task is ready again, or
 * cancelled when this acknowledges a cancel. Returns the task after the change.
 */
export async function returnTask(tx: Tx, ctx: VerbContext, report: Report): Promise<Task | null> {
  const events = new EventBatch(ctx);
  const task = await lockedTask(tx, report);
  assertLeaseHolder(task, report.agentId, report.epoch);
  const after = await revokeLease(tx, task, 'returned', ctx, events);
  await events.flush(tx);
  return after;
}
