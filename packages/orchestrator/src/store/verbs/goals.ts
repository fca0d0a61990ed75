import { randomUUID } from 'node:crypto';
import { KosError, type Priority } from '@kos/protocol';
import type { Plan } from '../../planner/index.ts';
import { readyKey } from '../../scheduler/ready-key.ts';
import type { Goal, GoalPlanning } from '../../scheduler/goal.ts';
import { DEFAULT_GOAL_POLICY, resolveTaskPolicy, type GoalPolicy } from '../../scheduler/policy.ts';
import type { Task } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { endGoal, getGoalOrThrow } from './task-flow.ts';

export interface GoalSubmission {
  goal: string;
  context: string;
  priority: Priority;
  plan: Plan;
  policy?: GoalPolicy | undefined;
  /** Submitted through A2A: the client's contextId, kept with the goal in the same transaction. */
  a2aContextId?: string | undefined;
  /** Set when a planner agent plans the goal: `plan` is then its first planning task (verbs/planning.ts). */
  planning?: GoalPlanning | undefined;
}

/**
 * Stores a validated plan as a goal with its tasks, all in one transaction: tasks without
 * dependencies are ready at once, the others wait for theirs.
 */
export async function submitGoal(
  tx: Tx,
  ctx: VerbContext,
  sub: GoalSubmission,
): Promise<{ goal: Goal; tasks: Task[] }> {
  const events = new EventBatch(ctx);
  const { goal, tasks } = goalRecords(sub, ctx);
  await tx.insertGoal(goal);
  await tx.insertTasks(tasks);
  if (sub.a2aContextId !== undefined) {
    await tx.insertA2aTask({ goalId: goal.id, contextId: sub.a2aContextId, createdAt: ctx.now });
  }
  events.add({
    kind: 'goal.submitted',
    goalId: goal.id,
    data: {
      goal: goal.goal,
      template: goal.template,
      tasks: tasks.map((t) => ({ id: t.id, name: t.name, state: t.state })),
    },
  });
  await events.flush(tx);
  return { goal, tasks };
}

/**
 * The goal and task records a submission creates, before anything is stored: what `submitGoal`
 * inserts, and what a preview shows. Pure apart from the fresh ids.
 */
export function goalRecords(
  sub: GoalSubmission,
  ctx: Pick<VerbContext, 'now' | 'actor' | 'config'>,
): { goal: Goal; tasks: Task[] } {
  const goal: Goal = {
    id: randomUUID(),
    goal: sub.goal,
    context: sub.context,
    template: sub.plan.template,
    priority: sub.priority,
    state: sub.planning === undefined ? 'running' : 'planning',
    taskCount: sub.plan.tasks.length,
    succeededCount: 0,
    deadCount: 0,
    skippedCount: 0,
    policy: sub.policy ?? DEFAULT_GOAL_POLICY,
    planning: sub.planning ?? null,
    submittedBy: ctx.actor,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    finishedAt: null,
  };
  return { goal, tasks: taskRecords(goal.id, sub.plan, ctx) };
}

/** The task records of a plan for a goal: tasks without dependencies start ready (or awaiting approval). */
export function taskRecords(goalId: string, plan: Plan, ctx: Pick<VerbContext, 'now' | 'config'>): Task[] {
  const ids = new Map(plan.tasks.map((t) => [t.name, randomUUID()]));
  const aging = ctx.config.scheduler.agingStepMs;
  return plan.tasks.map((t): Task => {
    const dependsOn = t.dependsOn.map((name) => ids.get(name) ?? '');
    const policy = resolveTaskPolicy(ctx.config, t.estimatedDurationMs, t.policy);
    const start =
      dependsOn.length > 0 ? 'pending' : policy.approval.beforeRun ? 'awaiting_approval' : 'ready';
    const s2s = policy.timeouts.scheduleToStartMs;
    return {
      id: ids.get(t.name) ?? randomUUID(),
      goalId,
      name: t.name,
      skills: t.skills,
      priority: t.priority,
      estimatedDurationMs: t.estimatedDurationMs,
      dependsOn,
      pendingDeps: dependsOn.length,
      input: t.input,
      state: start,
      attempts: 0,
      maxAttempts: policy.retry.maxAttempts,
      epoch: 0,
      agentId: null,
      leaseExpiresAt: null,
      leasedAt: null,
      availableAt: ctx.now,
      readyKey: readyKey(ctx.now, t.priority, aging),
      lastAgentId: null,
      progress: null,
      checkpoint: null,
      result: null,
      error: null,
      policy,
      deadlineAt: start === 'ready' && s2s !== null ? ctx.now + s2s : null,
      delegations: [],
      waiting: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      finishedAt: null,
    };
  });
}

/** Cancels a running (or planning) goal: its unfinished tasks are cancelled and their leases revoked. */
export async function cancelGoal(
  tx: Tx,
  ctx: VerbContext,
  goalId: string,
  reason: string,
): Promise<{ goal: Goal }> {
  const events = new EventBatch(ctx);
  const goal = await getGoalOrThrow(tx, goalId);
  if (goal.state !== 'running' && goal.state !== 'planning') {
    throw new KosError('KOS_ERR_GOAL_FINISHED', `goal ${goalId} is already ${goal.state}`, {
      goal_id: goalId,
      state: goal.state,
    });
  }
  const ended = await endGoal(tx, goal, 'cancelled', ctx, events, reason);
  await events.flush(tx);
  return ended;
}
