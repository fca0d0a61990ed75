import { KosError } from '@kos/protocol';
import { deadlineIn } from '../../scheduler/deadline.ts';
import { moveGoal, type Goal, type GoalState } from '../../scheduler/goal.ts';
import { readyKey } from '../../scheduler/ready-key.ts';
import { isLeased, moveTask, OPEN_TASK_STATES, type Task, type TaskState } from '../../scheduler/task.ts';
import { assertProven, type AgentCaller } from '../../registry/identity.ts';
import type { Tx } from '../backend.ts';
import type { EventBatch, VerbContext } from './context.ts';

/**
 * The shared steps of task verbs: every state change goes through `transition`, so each one is
 * checked against the state machine, lands in the event log, and sets the timeout deadline of the
 * state it enters (schedule-to-start when ready, start-to-close when leased, none otherwise).
 */
export function transition(
  task: Task,
  to: TaskState,
  ctx: VerbContext,
  events: EventBatch,
  patch: Partial<Task> = {},
  data: Record<string, unknown> = {},
): Task {
  const moved = {
    ...moveTask(task, to, ctx.now),
    deadlineAt: deadlineIn(to, task.policy, ctx.now, task.deadlineAt),
    ...patch,
  };
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

/**
 * A task whose dependencies let it run: ready, or awaiting an operator's approval first when its
 * policy says approval.before_run.
 */
export function release(
  task: Task,
  ctx: VerbContext,
  events: EventBatch,
  data: Record<string, unknown> = {},
): Task {
  if (!task.policy.approval.beforeRun) return toReady(task, ctx, events, data);
  return transition(task, 'awaiting_approval', ctx, events, {}, { reason: 'approval.before_run', ...data });
}

export async function getTaskOrThrow(tx: Tx, id: string): Promise<Task> {
  const task = await tx.getTask(id);
  if (!task) throw new KosError('KOS_ERR_TASK_NOT_FOUND', `no task has id ${id}`, { subtask_uuid: id });
  return task;
}

/**
 * The task a holder reports on, locked after its agent: every verb takes an agent's lock before
 * its tasks' (heartbeats do), so concurrent transactions on PostgreSQL cannot deadlock. An agent
 * bound to a key takes reports only from a caller who proved it (registry/identity.ts).
 */
export async function lockedTask(tx: Tx, report: AgentCaller & { taskId: string }): Promise<Task> {
  const agent = await tx.getAgent(report.agentId);
  if (agent) assertProven(agent, report.provenKey);
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

export async function setGoalState(
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

/**
 * Cancels an open task. One that is not leased is cancelled at once. A leased one is `cancelling`:
 * its holder keeps the lease until the grace deadline (cancellation.grace_ms), must stop and
 * acknowledge by then, and is refused any result meanwhile (verbs/cancel.ts). Its holder is told
 * once the transaction commits (a revoked lease of the transaction's effects, with the deadline).
 */
export function stopTask(
  task: Task,
  ctx: VerbContext,
  events: EventBatch,
  patch: Partial<Task> = {},
  data: Record<string, unknown> = {},
): Task {
  if (!isLeased(task.state)) {
    return transition(task, 'cancelled', ctx, events, { leaseExpiresAt: null, ...patch }, data);
  }
  const ackBy = ctx.now + ctx.config.cancellation.graceMs;
  const stopping = transition(
    task,
    'cancelling',
    ctx,
    events,
    { leaseExpiresAt: ackBy, ...patch },
    { ack_by: ackBy, ...data },
  );
  if (task.agentId !== null) ctx.effects.revoked(stopping, { agentId: task.agentId, epoch: task.epoch });
  return stopping;
}

/** Ends a goal early (a user cancelled it): every unfinished task is cancelled (see stopTask). */
export async function endGoal(
  tx: Tx,
  goal: Goal,
  to: 'failed' | 'cancelled',
  ctx: VerbContext,
  events: EventBatch,
  reason: string,
): Promise<{ goal: Goal }> {
  for (const task of await tx.listTasks(
    { goalId: goal.id, states: OPEN_TASK_STATES },
    { limit: Number.MAX_SAFE_INTEGER },
  )) {
    // Already told to stop (a task cancelled on its own): its grace deadline stands.
    if (task.state === 'cancelling') continue;
    await tx.putTask(stopTask(task, ctx, events, {}, { reason }));
  }
  return { goal: await setGoalState(tx, goal, to, ctx, events, { reason }) };
}
