import { retryDelayMs } from '../../scheduler/backoff.ts';
import { readyKey } from '../../scheduler/ready-key.ts';
import type { Task, TaskError } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { recordOutcome } from './health.ts';
import { afterSuccess, assertLeaseHolder, lockedTask, killTask, toReady, transition } from './task-flow.ts';

/** What a verb that may end leases returns: the tasks whose holders must be told to stop. */
export interface Revocations {
  revoked: Task[];
}

/** Why a lease ended before its holder reported a result. */
export type RevokeReason = 'agent_lost' | 'agent_unregistered' | 'lease_expired' | 'returned' | 'handed_back';

/** Leases the holder gave back itself: not held against its trust. */
const VOLUNTARY: ReadonlySet<RevokeReason> = new Set(['returned', 'handed_back']);

export interface Report {
  taskId: string;
  agentId: string;
  epoch?: number | undefined;
  /** KLP receipt (digest and chain head) kept with the transition in the event log. */
  receipt?: Record<string, unknown> | undefined;
}

function receiptOf(report: Report): Record<string, unknown> {
  return report.receipt === undefined ? {} : { receipt: report.receipt };
}

/** The lease holder reports success: the task succeeds exactly once; dependents may become ready. */
export async function completeTask(
  tx: Tx,
  ctx: VerbContext,
  report: Report & { result: unknown },
): Promise<Task> {
  const events = new EventBatch(ctx);
  const task = await lockedTask(tx, report);
  assertLeaseHolder(task, report.agentId, report.epoch);
  await recordOutcome(tx, task, 'succeeded', ctx);
  const done = transition(
    task,
    'succeeded',
    ctx,
    events,
    { result: report.result, leaseExpiresAt: null, error: null },
    receiptOf(report),
  );
  await tx.putTask(done);
  await afterSuccess(tx, done, ctx, events);
  await events.flush(tx);
  return done;
}

/**
 * The lease holder reports failure: retried after a backoff delay while attempts remain and the
 * error is retryable; otherwise the task dies and its goal fails.
 */
export async function failTask(
  tx: Tx,
  ctx: VerbContext,
  report: Report & { error: TaskError },
): Promise<{ task: Task } & Revocations> {
  const events = new EventBatch(ctx);
  const task = await lockedTask(tx, report);
  assertLeaseHolder(task, report.agentId, report.epoch);
  await recordOutcome(tx, task, 'failed', ctx);
  const base = { ...task, lastAgentId: task.agentId };
  if (!report.error.retryable || task.attempts >= task.maxAttempts) {
    const { task: dead, revoked } = await killTask(tx, base, report.error, ctx, events, receiptOf(report));
    await events.flush(tx);
    return { task: dead, revoked };
  }
  const availableAt = ctx.now + retryDelayMs(task.attempts, ctx.config.retry, ctx.random);
  const waiting = transition(
    task,
    'retrying',
    ctx,
    events,
    {
      lastAgentId: task.agentId,
      agentId: null,
      leaseExpiresAt: null,
      error: report.error,
      availableAt,
      readyKey: readyKey(availableAt, task.priority, ctx.config.scheduler.agingStepMs),
    },
    { error: report.error, retry_at: availableAt, ...receiptOf(report) },
  );
  await tx.putTask(waiting);
  await events.flush(tx);
  return { task: waiting, revoked: [] };
}

/**
 * Ends a lease the holder can no longer honour (agent lost, unregistered, lease expired). The
 * attempt counts: the task goes straight back to ready, or dies when attempts are exhausted.
 */
export async function revokeLease(
  tx: Tx,
  task: Task,
  reason: RevokeReason,
  ctx: VerbContext,
  events: EventBatch,
): Promise<Task[]> {
  events.add({
    kind: 'task.lease_revoked',
    goalId: task.goalId,
    taskId: task.id,
    agentId: task.agentId,
    data: { reason, epoch: task.epoch, attempt: task.attempts },
  });
  if (!VOLUNTARY.has(reason)) await recordOutcome(tx, task, 'lost', ctx);
  const base = { ...task, lastAgentId: task.agentId };
  if (task.attempts >= task.maxAttempts) {
    const error: TaskError = {
      code: reason,
      message: `lease ended (${reason}) on the last attempt (${task.attempts}/${task.maxAttempts})`,
      retryable: false,
    };
    const { revoked } = await killTask(tx, base, error, ctx, events);
    return [task, ...revoked];
  }
  await tx.putTask(toReady(base, ctx, events, { reason }));
  return [task];
}

/** Periodic duty: leases past their TTL are revoked. */
export async function sweepExpiredLeases(tx: Tx, ctx: VerbContext, limit = 1000): Promise<Revocations> {
  const events = new EventBatch(ctx);
  const revoked: Task[] = [];
  for (const task of await tx.listExpiredLeases(ctx.now, limit)) {
    revoked.push(...(await revokeLease(tx, task, 'lease_expired', ctx, events)));
  }
  await events.flush(tx);
  return { revoked };
}

/** Periodic duty: retrying tasks whose backoff delay has passed become ready. */
export async function promoteDueRetries(tx: Tx, ctx: VerbContext, limit = 1000): Promise<number> {
  const events = new EventBatch(ctx);
  const due = await tx.listDueRetries(ctx.now, limit);
  for (const task of due) await tx.putTask(toReady(task, ctx, events));
  await events.flush(tx);
  return due.length;
}
