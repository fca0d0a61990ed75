import { isKosError, KosError, type Priority } from '@kos/protocol';
import {
  decompose,
  feasibility,
  planFromTasks,
  type Feasibility,
  type GoalContext,
  type Plan,
} from '../planner/index.ts';
import { checkedOverrides, type PolicySpec } from '../planner/policy-spec.ts';
import type { Goal, GoalPlanning, GoalState } from '../scheduler/goal.ts';
import { DEFAULT_GOAL_POLICY, type GoalPolicy } from '../scheduler/policy.ts';
import type { Task } from '../scheduler/task.ts';
import type { GoalFilter } from '../store/backend.ts';
import type { GoalSubmission } from '../store/verbs/goals.ts';
import { firstPlanningPlan } from '../store/verbs/planning.ts';
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
  /** Sent through A2A: the client's contextId, stored with the goal (its A2A task id is the goal id). */
  a2aContextId?: string | undefined;
  /** Plan by a planner agent: `llm` (any agent with skill planning) or a planner agent's name. */
  planner?: string | undefined;
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

/** What the store is asked to keep for a request: its validated plan, defaults and policy resolved. */
export async function goalSubmission(core: Core, req: GoalRequest): Promise<GoalSubmission> {
  const context = req.context ?? '';
  const base = {
    goal: req.goal,
    context: typeof context === 'string' ? context : JSON.stringify(context),
    priority: req.priority ?? 'medium',
    policy: goalPolicyOf(req.policy, core),
    a2aContextId: req.a2aContextId,
  };
  const planner = plannerOf(core, req);
  if (planner === null) return { ...base, plan: planGoal(core, req) };
  const planning: GoalPlanning = {
    planner,
    context,
    maxRepairs: core.config.planner.maxRepairs,
    rejected: 0,
    fallback: fallbackPlan(core, req),
  };
  const agentSkills = await core.store.read(async (tx) =>
    (await tx.listAgents(['active', 'draining'])).map((a) => a.skills),
  );
  return { ...base, plan: firstPlanningPlan(base, planning, agentSkills, core.config), planning };
}

/**
 * Who plans a request: the planner it names, or `llm` for a goal that only the fallback template
 * matches when planner.unmatched_goals is `planner`; null: a template or its own DAG.
 */
function plannerOf(core: Core, req: GoalRequest): string | null {
  const own = req.tasks !== undefined || req.template !== undefined;
  if (req.planner !== undefined) {
    if (own) {
      throw new KosError(
        'KOS_ERR_VALIDATION',
        'planner excludes tasks and template: a goal has one planner',
        {
          field: 'planner',
          problems: ['body/planner must not be given with body/tasks or body/template'],
        },
      );
    }
    assertWithin('goal length (characters)', req.goal.length, core.config.limits.maxGoalChars);
    return req.planner;
  }
  if (own || core.config.planner.unmatchedGoals !== 'planner') return null;
  return core.templates.matchSpecific(req.goal) === undefined ? 'llm' : null;
}

/** The plan of the goal's matching template (not the `always` one), for planner.fallback `template`. */
function fallbackPlan(core: Core, req: GoalRequest): Plan | null {
  if (core.config.planner.fallback !== 'template') return null;
  const template = core.templates.matchSpecific(req.goal);
  return template === undefined ? null : planGoal(core, { ...req, template: template.name });
}

/**
 * Which skills of the tasks no registered agent (active, draining, lost or quarantined) offers,
 * judged on the tasks' resolved policies: the skills a round would match them on.
 */
export async function feasibilityNow(core: Core, tasks: readonly Task[]): Promise<Feasibility> {
  const skills = await core.store.read(async (tx) => {
    const agents = await tx.listAgents(['active', 'draining', 'lost', 'quarantined']);
    return new Set(agents.flatMap((a) => a.skills));
  });
  return feasibility(tasks, skills);
}

/** Plans and stores a goal with its tasks in one transaction; an infeasible one is stored and waits. */
export async function submitGoal(core: Core, actor: Actor, req: GoalRequest): Promise<SubmittedGoal> {
  const { goal, tasks } = await core.store.submitGoal(actorId(actor), await goalSubmission(core, req));
  core.metrics.goalSubmitted();
  return { goal, tasks, feasibility: await feasibilityNow(core, tasks) };
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

/** Which goals: in any of `states`, of `template`, whose text holds `text` (any case); all of them. */
export type GoalQuery = GoalFilter;

/** Newest first, a page at a time; the cursor stays valid under the same filter. */
export async function listGoals(core: Core, req: PageRequest & GoalQuery): Promise<Paged<Goal>> {
  const { limit, after, ...filter } = req;
  const goals = await core.store.read((tx) => tx.listGoals(filter, { limit: limit + 1, after }));
  return pageOf(goals, limit, (g) => g.id);
}

/** Goals that may still be cancelled. */
const OPEN_GOAL_STATES: readonly GoalState[] = ['planning', 'running'];

export interface BulkCancel {
  /** The goals cancelled, newest first. */
  cancelled: string[];
  /** Open goals this call took (at most `limit`); those that finished meanwhile are not cancelled. */
  matched: number;
  /** Whether more open goals match: call again. */
  remaining: boolean;
}

/** Goals cancelled at once: enough to use the store's group commit, few enough to bound a call. */
const CANCEL_CONCURRENCY = 16;

/**
 * Cancels the open goals a filter matches, newest first, at most `limit` per call; each through
 * `cancelGoal`, so its effects and events are those of a single cancel. A filter is required, so
 * that an empty request cannot cancel everything. Each goal is its own transaction: a goal that
 * finished in between is skipped, and an error stops the call with the goals before it cancelled.
 */
export async function cancelGoals(
  core: Core,
  actor: Actor,
  req: GoalQuery & { reason?: string | undefined; limit: number },
): Promise<BulkCancel> {
  const { reason, limit, ...filter } = req;
  if (filter.states === undefined && filter.template === undefined && filter.text === undefined) {
    throw new KosError(
      'KOS_ERR_VALIDATION',
      'name at least one filter (state, template or q): an empty filter would cancel every goal',
      { problems: ['body must have at least one of state, template, q'] },
    );
  }
  const states = (filter.states ?? OPEN_GOAL_STATES).filter((s) => OPEN_GOAL_STATES.includes(s));
  if (states.length === 0) return { cancelled: [], matched: 0, remaining: false };
  const goals = await core.store.read((tx) => tx.listGoals({ ...filter, states }, { limit: limit + 1 }));
  const batch = goals.slice(0, limit);
  const done: (string | null)[] = [];
  for (let i = 0; i < batch.length; i += CANCEL_CONCURRENCY) {
    const chunk = batch.slice(i, i + CANCEL_CONCURRENCY);
    done.push(
      ...(await Promise.all(
        chunk.map(async (g) => {
          try {
            await cancelGoal(core, actor, { goalId: g.id, reason });
            return g.id;
          } catch (e) {
            if (isKosError(e) && e.code === 'KOS_ERR_GOAL_FINISHED') return null;
            throw e;
          }
        }),
      )),
    );
  }
  return {
    cancelled: done.filter((id): id is string => id !== null),
    matched: batch.length,
    remaining: goals.length > limit,
  };
}
