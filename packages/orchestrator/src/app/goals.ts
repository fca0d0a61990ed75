import { KosError, type Priority } from '@kos/protocol';
import {
  decompose,
  feasibility,
  planFromTasks,
  type Feasibility,
  type GoalContext,
  type Plan,
} from '../planner/index.ts';
import { checkedOverrides, type PolicySpec } from '../planner/policy-spec.ts';
import type { Goal, GoalState } from '../scheduler/goal.ts';
import { DEFAULT_GOAL_POLICY, type GoalPolicy } from '../scheduler/policy.ts';
import type { Task } from '../scheduler/task.ts';
import { actorId, type Actor, type Core } from './core.ts';
import { assertWithin } from './limits.ts';
import { ALL, pageOf, type Paged, type PageRequest } from './paging.ts';

/** A task of a submitted DAG; what is left out gets the defaults below. */
export interface TaskRequest {
  name: string;
  skills: string[];
  priority?: Priority | undefined;
  estimatedDurationMs?: number | undefined;
  /** Names of tasks of the same goal. */
  dependsOn?: string[] | undefined;
  input?: unknown;
  policy?: PolicySpec | undefined;
}

export interface GoalPolicyRequest {
  onTaskDeath?: GoalPolicy['onTaskDeath'] | undefined;
  /** Null: no limit, whatever policies.max_parallel_per_goal says. */
  maxParallelTasks?: number | null | undefined;
  weight?: number | undefined;
}

/** A goal to run: given as a DAG (`tasks`), or decomposed by a template (named, or the first that matches). */
export interface GoalRequest {
  goal: string;
  context?: GoalContext | undefined;
  priority?: Priority | undefined;
  template?: string | undefined;
  tasks?: TaskRequest[] | undefined;
  policy?: GoalPolicyRequest | undefined;
}

export interface SubmittedGoal {
  goal: Goal;
  tasks: Task[];
  /** Judged on the stored tasks against the skills of the agents known now. */
  feasibility: Feasibility;
}

/** A task of a DAG that names no estimate is planned as one minute. */
export const DEFAULT_ESTIMATE_MS = 60_000;

/** Plans a goal (validated: acyclic, within limits) without storing it. */
export function planGoal(core: Core, req: GoalRequest): Plan {
  const { limits } = core.config;
  assertWithin('goal length (characters)', req.goal.length, limits.maxGoalChars);
  if (req.tasks === undefined) {
    const plan = decompose(core.templates, req.goal, req.context ?? '', limits, { template: req.template });
    // The goal's priority, when given, is every templated task's priority.
    if (req.priority !== undefined) for (const t of plan.tasks) t.priority = req.priority;
    return plan;
  }
  return planFromTasks(
    req.tasks.map((t) => ({
      name: t.name,
      skills: t.skills,
      priority: t.priority ?? req.priority ?? 'medium',
      estimatedDurationMs: t.estimatedDurationMs ?? DEFAULT_ESTIMATE_MS,
      dependsOn: t.dependsOn ?? [],
      input: t.input ?? null,
      ...(t.policy === undefined ? {} : { policy: checkedOverrides(t.policy, t.name) }),
    })),
    limits,
  );
}

/**
 * The policy a goal keeps for its whole life: the request's fields over the defaults, with
 * policies.max_parallel_per_goal (0: none) as the default limit. Resolved once, at submission, so
 * a later configuration change never alters a goal already accepted.
 */
export function goalPolicyOf(req: GoalPolicyRequest | undefined, core: Pick<Core, 'config'>): GoalPolicy {
  const configured = core.config.policies.maxParallelPerGoal;
  return {
    onTaskDeath: req?.onTaskDeath ?? DEFAULT_GOAL_POLICY.onTaskDeath,
    maxParallel:
      req?.maxParallelTasks === undefined ? (configured === 0 ? null : configured) : req.maxParallelTasks,
    weight: req?.weight ?? DEFAULT_GOAL_POLICY.weight,
  };
}

/** Plans and stores a goal with its tasks in one transaction; an infeasible one is stored and waits. */
export async function submitGoal(core: Core, actor: Actor, req: GoalRequest): Promise<SubmittedGoal> {
  const plan = planGoal(core, req);
  const context = req.context ?? '';
  const { goal, tasks } = await core.store.submitGoal(actorId(actor), {
    goal: req.goal,
    context: typeof context === 'string' ? context : JSON.stringify(context),
    priority: req.priority ?? 'medium',
    plan,
    policy: goalPolicyOf(req.policy, core),
  });
  core.metrics.goalSubmitted();
  const skills = await core.store.read(async (tx) => {
    const agents = await tx.listAgents(['active', 'draining', 'lost', 'quarantined']);
    return new Set(agents.flatMap((a) => a.skills));
  });
  // Judged on the stored tasks (their resolved policy): the skills a round would match them on.
  return { goal, tasks, feasibility: feasibility(tasks, skills) };
}

/** Cancels a running goal: its unfinished tasks are cancelled, their holders told to stop. */
export async function cancelGoal(
  core: Core,
  actor: Actor,
  req: { goalId: string; reason?: string | undefined },
) {
  return core.store.cancelGoal(actorId(actor), req.goalId, req.reason ?? 'cancelled by a user');
}

export async function getGoal(core: Core, goalId: string): Promise<{ goal: Goal; tasks: Task[] }> {
  const { goal, tasks } = await core.store.read(async (tx) => ({
    goal: await tx.getGoal(goalId),
    tasks: await tx.listTasks({ goalId }, { limit: ALL }),
  }));
  if (!goal) throw new KosError('KOS_ERR_GOAL_NOT_FOUND', `no goal has id ${goalId}`, { goal_id: goalId });
  return { goal, tasks };
}

/** Newest first, a page at a time. */
export async function listGoals(
  core: Core,
  req: PageRequest & { state?: GoalState | undefined },
): Promise<Paged<Goal>> {
  const goals = await core.store.read((tx) =>
    tx.listGoals({ states: req.state ? [req.state] : undefined }, { limit: req.limit + 1, after: req.after }),
  );
  return pageOf(goals, req.limit, (g) => g.id);
}
