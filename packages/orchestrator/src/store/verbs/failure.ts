import { retryDelayMs } from '../../scheduler/backoff.ts';
import { readyKey } from '../../scheduler/ready-key.ts';
import type { Task, TaskError } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import type { EventBatch, VerbContext } from './context.ts';
import { afterDeath } from './settle.ts';
import { transition } from './task-flow.ts';

/** What ending an attempt leads to: the task now (leases it ended are the transaction's effects). */
export interface Outcome {
  task: Task;
}

/**
 * A failed attempt (reported by the holder, or a timeout), decided by the task's own policy:
 * retried after a backoff delay while the error is retryable and attempts remain; otherwise routed
 * to an operator when approval.on_failure says so; otherwise dead. The task is in the state the
 * attempt ended from (leased, running, or ready for a schedule-to-start timeout).
 */
export async function failAttempt(
  tx: Tx,
  task: Task,
  error: TaskError,
  ctx: VerbContext,
  events: EventBatch,
  data: Record<string, unknown> = {},
): Promise<Outcome> {
  const ended = { agentId: null, lastAgentId: task.agentId ?? task.lastAgentId, leaseExpiresAt: null, error };
  if (error.retryable && task.attempts < task.maxAttempts) {
    const delay = retryDelayMs(Math.max(1, task.attempts), task.policy.retry, ctx.random);
    const availableAt = ctx.now + delay;
    const waiting = transition(
      task,
      'retrying',
      ctx,
      events,
      {
        ...ended,
        availableAt,
        readyKey: readyKey(availableAt, task.priority, ctx.config.scheduler.agingStepMs),
      },
      { error, retry_at: availableAt, ...data },
    );
    await tx.putTask(waiting);
    return { task: waiting };
  }
  if (task.policy.approval.onFailure) {
    const held = transition(task, 'awaiting_approval', ctx, events, ended, {
      error,
      reason: 'approval.on_failure',
      ...data,
    });
    await tx.putTask(held);
    return { task: held };
  }
  return killTask(tx, task, error, ctx, events, data);
}

/** A task that failed for good: dead (the dead-letter state), and the goal's policy applies. */
export async function killTask(
  tx: Tx,
  task: Task,
  error: TaskError,
  ctx: VerbContext,
  events: EventBatch,
  data: Record<string, unknown> = {},
): Promise<Outcome> {
  const patch = { error, leaseExpiresAt: null, lastAgentId: task.agentId ?? task.lastAgentId };
  const dead = transition(task, 'dead', ctx, events, patch, { error, ...data });
  await tx.putTask(dead);
  await afterDeath(tx, dead, ctx, events);
  return { task: dead };
}
