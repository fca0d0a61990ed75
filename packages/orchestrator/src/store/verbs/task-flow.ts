import { KosError } from '@kos/protocol';
import { moveGoal, type Goal, type GoalState } from '../../scheduler/goal.ts';
import { readyKey } from '../../scheduler/ready-key.ts';
import {
  isLeased,
  moveTask,
  OPEN_TASK_STATES,
  type Task,
  type TaskError,
  type TaskState,
} from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import type { EventBatch, VerbContext } from './context.ts';

/**
 * The shared steps of task verbs: every state change goes through `transition`, so each one is
 * checked against the state machine and lands in the event log.
 */
export function transition(
  task: Task,
  to: TaskState,
  ctx: VerbContext,
  events: EventBatch,
  patch: Partial<Task> = {},
  data: Record<string, unknown> = {},
): Task {
  const moved = { ...moveTask(task, to, ctx.now), ...patch };
  events.add({
    kind: 'task.state',
    goalId: task.goalId,
    taskId: task.id,
    agentId: moved.agentId ?? task.agentId,
    data: { from: task.state, to, attempt: moved.attempts, epoch: moved.epoch, ...data },
  });
  return moved;
}

/** Puts a task in the ready queue at `availableAt`, keyed for priority tiers with aging. */
export function toReady(
  task: Task,
  ctx: VerbContext,
  events: EventBatch,
  data: Record<string, unknown> = {},
): Task {
  const availableAt = ctx.now;
  return transition(
    task,
    'ready',
    ctx,
    events,
    {
      availableAt,
      readyKey: readyKey(availableAt, task.priority, ctx.config.scheduler.agingStepMs),
      agentId: null,
      leaseExpiresAt: null,
    },
    data,
  );
}

export async function getTaskOrThrow(tx: Tx, id: string): Promise<Task> {
  const task = await tx.getTask(id);
  if (!task) throw new KosError('KOS_ERR_TASK_NOT_FOUND', `no task has id ${id}`, { subtask_uuid: id });
  return task;
}

/**
 * The task a holder reports on, locked after its agent: every verb takes an agent's lock before
 * its tasks' (heartbeats do), so concurrent transactions on PostgreSQL cannot deadlock.
 */
export async function lockedTask(tx: Tx, report: { taskId: string; agentId: string }): Promise<Task> {
  await tx.getAgent(report.agentId);
  return getTaskOrThrow(tx, report.taskId);
}

export async function getGoalOrThrow(tx: Tx, id: string): Promise<Goal> {
  const goal = await tx.getGoal(id);
  if (!goal) throw new KosError('KOS_ERR_GOAL_NOT_FOUND', `no goal has id ${id}`, { goal_id: id });
  return goal;
}

/**
 * Fencing: only the current lease holder, with the current epoch when it states one, may report
 * on a task. A stale epoch wins over other reasons so that a late reporter learns why.
 */
export function assertLeaseHolder(task: Task, agentId: string, epoch: number | undefined): void {
  if (epoch !== undefined && epoch !== task.epoch) {
    throw new KosError(
      'KOS_ERR_STALE_EPOCH',
      `task ${task.id}: epoch ${epoch} is stale (current epoch ${task.epoch}, state ${task.state}); the result was not applied`,
      { subtask_uuid: task.id, epoch, current_epoch: task.epoch, state: task.state },
    );
  }
  if (!isLeased(task.state)) {
    throw new KosError(
      'KOS_ERR_TASK_NOT_ACTIVE',
      `task ${task.id} is ${task.state}, not leased: nothing to report on`,
      { subtask_uuid: task.id, state: task.state },
    );
  }
  if (task.agentId !== agentId) {
    throw new KosError(
      'KOS_ERR_NOT_LEASE_HOLDER',
      `task ${task.id} is leased to another agent; agent ${agentId} does not hold its lease`,
      { subtask_uuid: task.id, agent_id: agentId },
    );
  }
}

async function setGoalState(
  tx: Tx,
  goal: Goal,
  to: GoalState,
  ctx: VerbContext,
  events: EventBatch,
  data = {},
) {
  const moved = moveGoal(goal, to, ctx.now);
  await tx.putGoal(moved);
  events.add({ kind: 'goal.state', goalId: goal.id, data: { from: goal.state, to, ...data } });
  return moved;
}

/** After a task succeeded: counts it on the goal, finishes the goal, and readies dependents. */
export async function afterSuccess(tx: Tx, task: Task, ctx: VerbContext, events: EventBatch): Promise<void> {
  const goal = await getGoalOrThrow(tx, task.goalId);
  const counted = { ...goal, succeededCount: goal.succeededCount + 1, updatedAt: ctx.now };
  if (counted.succeededCount >= counted.taskCount && counted.state === 'running') {
    await setGoalState(tx, counted, 'succeeded', ctx, events);
  } else {
    await tx.putGoal(counted);
  }
  for (const dep of await tx.listDependents(task.id)) {
    if (dep.state !== 'pending') continue;
    const waiting = { ...dep, pendingDeps: Math.max(0, dep.pendingDeps - 1) };
    await tx.putTask(waiting.pendingDeps === 0 ? toReady(waiting, ctx, events) : waiting);
  }
}

/**
 * Ends a goal early (a task died, or a user cancelled it): every unfinished task is cancelled,
 * which also ends its lease. Returns the ids of tasks whose leases were revoked, so their agents
 * can be told to stop.
 */
export async function endGoal(
  tx: Tx,
  goal: Goal,
  to: 'failed' | 'cancelled',
  ctx: VerbContext,
  events: EventBatch,
  reason: string,
): Promise<{ goal: Goal; revoked: Task[] }> {
  const revoked: Task[] = [];
  for (const task of await tx.listTasks(
    { goalId: goal.id, states: OPEN_TASK_STATES },
    { limit: Number.MAX_SAFE_INTEGER },
  )) {
    if (isLeased(task.state)) revoked.push(task);
    await tx.putTask(transition(task, 'cancelled', ctx, events, { leaseExpiresAt: null }, { reason }));
  }
  const ended = await setGoalState(tx, goal, to, ctx, events, { reason });
  return { goal: ended, revoked };
}

/** A task that failed for good: dead, and its goal fails (fail-fast). */
export async function killTask(
  tx: Tx,
  task: Task,
  error: TaskError,
  ctx: VerbContext,
  events: EventBatch,
  data: Record<string, unknown> = {},
): Promise<{ task: Task; revoked: Task[] }> {
  const dead = transition(task, 'dead', ctx, events, { error, leaseExpiresAt: null }, { error, ...data });
  await tx.putTask(dead);
  const goal = await getGoalOrThrow(tx, task.goalId);
  if (goal.state !== 'running') return { task: dead, revoked: [] };
  const { revoked } = await endGoal(
    tx,
    goal,
    'failed',
    ctx,
    events,
    `task ${task.name} (${task.id}) died: ${error.message}`,
  );
  return { task: dead, revoked };
}
