import { KosError } from '@kos/protocol';
import type { Goal } from '../../scheduler/goal.ts';
import type { Task, TaskState } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { killTask, type Outcome } from './failure.ts';
import { isSkipped } from './settle.ts';
import { getGoalOrThrow, getTaskOrThrow, release, setGoalState, toReady, transition } from './task-flow.ts';

/**
 * Operator actions on one task, each audited through the actor of its events: retrying a dead
 * letter, and approving or denying a task that waits in awaiting_approval.
 */

/**
 * Retries a dead task: it is ready again with `policy.retry.max_attempts` more attempts. Its goal
 * is reopened if its death failed it, and the tasks skipped because of it (its dependents, or all
 * open tasks under fail_fast) are pending again with their waits recomputed. A goal a user
 * cancelled stays cancelled.
 */
export async function retryTask(tx: Tx, ctx: VerbContext, taskId: string, reason: string): Promise<Task> {
  const task = await getTaskOrThrow(tx, taskId);
  if (task.state !== 'dead') {
    throw new KosError(
      'KOS_ERR_TASK_NOT_DEAD',
      `task ${taskId} is ${task.state}; only a dead task can be retried`,
      { subtask_uuid: taskId, state: task.state },
    );
  }
  const goal = await getGoalOrThrow(tx, task.goalId);
  if (goal.state === 'cancelled') {
    throw new KosError(
      'KOS_ERR_GOAL_CANCELLED',
      `goal ${goal.id} was cancelled; its tasks cannot be retried (submit the goal again)`,
      { goal_id: goal.id, subtask_uuid: taskId },
    );
  }
  const events = new EventBatch(ctx);
  const extended = { ...task, maxAttempts: task.attempts + task.policy.retry.maxAttempts };
  const ready = toReady(extended, ctx, events, { reason, decision: 'retry' });
  await tx.putTask(ready);
  const reopened = await reopenSkipped(tx, goal, ctx, events);
  const counted: Goal = {
    ...goal,
    deadCount: goal.deadCount - 1,
    skippedCount: goal.skippedCount - reopened,
    updatedAt: ctx.now,
  };
  if (counted.state === 'failed') {
    await setGoalState(tx, counted, 'running', ctx, events, {
      reason: `task ${task.name} retried`,
      reopened,
    });
  } else {
    await tx.putGoal(counted);
  }
  await events.flush(tx);
  return ready;
}

/** Approves a task awaiting approval: it is ready, with one more attempt if it had none left. */
export async function approveTask(tx: Tx, ctx: VerbContext, taskId: string, reason: string): Promise<Task> {
  const task = await awaiting(tx, taskId);
  const events = new EventBatch(ctx);
  const maxAttempts = Math.max(task.maxAttempts, task.attempts + 1);
  const ready = toReady({ ...task, maxAttempts }, ctx, events, { decision: 'approved', reason });
  await tx.putTask(ready);
  await events.flush(tx);
  return ready;
}

/** Denies a task awaiting approval: it dies, and its goal's policy applies. */
export async function denyTask(tx: Tx, ctx: VerbContext, taskId: string, reason: string): Promise<Outcome> {
  const task = await awaiting(tx, taskId);
  const events = new EventBatch(ctx);
  const error = { code: 'denied', message: reason, retryable: false };
  const outcome = await killTask(tx, task, error, ctx, events, {
    decision: 'denied',
    reason,
    ...(task.error === null ? {} : { failure: task.error }),
  });
  await events.flush(tx);
  return outcome;
}

async function awaiting(tx: Tx, taskId: string): Promise<Task> {
  const task = await getTaskOrThrow(tx, taskId);
  if (task.state !== 'awaiting_approval') {
    throw new KosError(
      'KOS_ERR_TASK_NOT_AWAITING_APPROVAL',
      `task ${taskId} is ${task.state}, not awaiting approval`,
      { subtask_uuid: taskId, state: task.state },
    );
  }
  return task;
}

/**
 * Reopens the goal's skipped tasks that nothing dead or cancelled holds back any more, in
 * dependency order (a reopened task no longer holds back its dependents). Returns how many.
 */
async function reopenSkipped(tx: Tx, goal: Goal, ctx: VerbContext, events: EventBatch): Promise<number> {
  const tasks = await tx.listTasks({ goalId: goal.id }, { limit: Number.MAX_SAFE_INTEGER });
  const state = new Map<string, TaskState>(tasks.map((t) => [t.id, t.state]));
  const stateOf = (id: string) => state.get(id) ?? 'cancelled';
  let reopened = 0;
  for (const task of dependencyOrder(tasks)) {
    if (!isSkipped(task)) continue;
    const deps = task.dependsOn.map(stateOf);
    const anyDead = deps.includes('dead');
    const blocked = anyDead || deps.includes('cancelled');
    const branch = task.policy.runWhen === 'failed';
    // A branch still waits for a death; a plain task for all its dependencies to succeed.
    if (branch ? !anyDead && deps.every((s) => s === 'succeeded' || s === 'cancelled') : blocked) continue;
    const waiting = branch
      ? deps.filter((s) => s !== 'succeeded' && s !== 'cancelled').length
      : deps.filter((s) => s !== 'succeeded').length;
    const patch = { pendingDeps: waiting, error: null, agentId: null, leaseExpiresAt: null };
    let next = transition(task, 'pending', ctx, events, patch, { reason: 'reopened by a retry' });
    if (waiting === 0 || (branch && anyDead)) next = release(next, ctx, events);
    await tx.putTask(next);
    state.set(task.id, next.state);
    reopened++;
  }
  return reopened;
}

/** Tasks with every dependency before its dependents (Kahn's algorithm over the goal's DAG). */
function dependencyOrder(tasks: readonly Task[]): Task[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const waiting = new Map(tasks.map((t) => [t.id, t.dependsOn.filter((d) => byId.has(d)).length]));
  const dependents = new Map<string, Task[]>();
  for (const t of tasks) {
    for (const d of t.dependsOn) {
      const list = dependents.get(d);
      if (list) list.push(t);
      else dependents.set(d, [t]);
    }
  }
  const order = tasks.filter((t) => waiting.get(t.id) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const next of dependents.get(order[i]!.id) ?? []) {
      const left = (waiting.get(next.id) ?? 0) - 1;
      waiting.set(next.id, left);
      if (left === 0) order.push(next);
    }
  }
  return order;
}
