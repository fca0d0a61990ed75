import type { Plan } from '../../planner/index.ts';
import { planningTask, report } from '../../planner/planning-task.ts';
import { judgeProposal, PLANNER_TEMPLATE, type PlanBounds } from '../../planner/proposal.ts';
import type { PlanProblem } from '../../planner/validate-plan.ts';
import type { Goal, GoalPlanning } from '../../scheduler/goal.ts';
import type { Task } from '../../scheduler/task.ts';
import type { Config } from '../../config/types.ts';
import type { Tx } from '../backend.ts';
import type { EventBatch, VerbContext } from './context.ts';
import { taskRecords } from './goals.ts';
import { getGoalOrThrow, setGoalState } from './task-flow.ts';

/**
 * Goals planned by a planner agent (docs/planning.md). A goal in `planning` has only planning
 * tasks. When one succeeds, its result (a proposal) is judged in the same transaction: accepted,
 * the goal is expanded (its tasks inserted, its task count raised, running); rejected, a new
 * planning task carries the proposal and its problems back to the planner, at most
 * `planner.max_repairs` times; after that the goal's fallback template plan expands it, or the
 * goal fails with KOS_ERR_PLAN_REJECTED and the problems. Each step is an event: plan.proposed,
 * plan.verdict, plan.accepted. A rejected round's task stays succeeded: it did deliver a proposal.
 */

/** What a planning task without an estimate of its own is planned as. */
export const PLANNING_ESTIMATE_MS = 60_000;
/** What a proposed task without an estimate is planned as (as an explicit DAG's). */
const TASK_ESTIMATE_MS = 60_000;

/** Registered agents whose skills count for a plan: a lost agent may come back, as at submit. */
const FLEET_STATES = ['active', 'draining', 'lost', 'quarantined'] as const;

export const planBounds = (config: Config): PlanBounds => ({
  maxDepth: config.planner.maxDepth,
  maxCriticalPathMs: config.planner.maxCriticalPathMs,
});

/** The first planning task of a goal, from the skills of the agents known now. */
export function firstPlanningPlan(
  goal: { goal: string; priority: Goal['priority'] },
  planning: GoalPlanning,
  agentSkills: readonly (readonly string[])[],
  config: Config,
): Plan {
  const task = planningTask({
    goal: goal.goal,
    context: planning.context,
    planner: planning.planner,
    priority: goal.priority,
    round: 0,
    agentSkills,
    limits: config.limits,
    bounds: planBounds(config),
    estimateMs: PLANNING_ESTIMATE_MS,
  });
  return { template: PLANNER_TEMPLATE, tasks: [task] };
}

/** After a task of a planning goal succeeded: judges its proposal, then expands, repairs or ends the goal. */
export async function judgePlanningResult(
  tx: Tx,
  task: Task,
  ctx: VerbContext,
  events: EventBatch,
): Promise<void> {
  const goal = await getGoalOrThrow(tx, task.goalId);
  if (goal.state !== 'planning' || goal.planning === null) return;
  const planning = goal.planning;
  const round = planning.rejected;
  const at = { goalId: goal.id, taskId: task.id, agentId: task.agentId };
  events.add({ kind: 'plan.proposed', ...at, data: { round, proposal: task.result } });
  const agents = await tx.listAgents([...FLEET_STATES]);
  const skills = new Set(agents.flatMap((a) => a.skills).filter((s) => !s.startsWith('planning')));
  const verdict = judgeProposal(task.result, {
    limits: ctx.config.limits,
    bounds: planBounds(ctx.config),
    skills,
    priority: goal.priority,
    defaultEstimateMs: TASK_ESTIMATE_MS,
  });
  const problems = verdict.accepted ? [] : verdict.problems;
  const rejected = { ...planning, rejected: round + 1 };
  const next = verdict.accepted
    ? 'expand'
    : rejected.rejected <= planning.maxRepairs
      ? 'repair'
      : planning.fallback !== null
        ? 'fallback'
        : 'fail';
  events.add({
    kind: 'plan.verdict',
    ...at,
    data: { round, accepted: verdict.accepted, next, problems: problems.map(report) },
  });
  if (verdict.accepted) {
    await expandGoal(tx, goal, verdict.plan, ctx, events, { source: 'planner', round });
  } else if (next === 'repair') {
    await repair(tx, goal, rejected, { proposal: task.result, problems }, ctx, agents);
  } else if (planning.fallback !== null) {
    const data = { source: 'fallback', round, reason: `${rejected.rejected} proposals were rejected` };
    await expandGoal(tx, { ...goal, planning: rejected }, planning.fallback, ctx, events, data);
  } else {
    await rejectGoal(tx, { ...goal, planning: rejected }, ctx, events, problems);
  }
}

/** A planning task died (its attempts ran out): the goal cannot be planned and fails. */
export async function planningDied(tx: Tx, dead: Task, ctx: VerbContext, events: EventBatch): Promise<void> {
  const goal = await getGoalOrThrow(tx, dead.goalId);
  if (goal.state !== 'planning') return;
  const message = `planning task ${dead.name} (${dead.id}) died: ${dead.error?.message ?? 'no error'}`;
  await setGoalState(tx, goal, 'failed', ctx, events, { code: 'KOS_ERR_PLAN_REJECTED', reason: message });
}

/**
 * Inserts an accepted plan's tasks into a planning goal and raises its task count, in the caller's
 * transaction; the goal runs.
 */
export async function expandGoal(
  tx: Tx,
  goal: Goal,
  plan: Plan,
  ctx: VerbContext,
  events: EventBatch,
  data: Record<string, unknown>,
): Promise<{ goal: Goal; tasks: Task[] }> {
  const tasks = taskRecords(goal.id, plan, ctx);
  await tx.insertTasks(tasks);
  const grown: Goal = { ...goal, template: plan.template, taskCount: goal.taskCount + tasks.length };
  const names = new Map(tasks.map((t) => [t.id, t.name]));
  events.add({
    kind: 'plan.accepted',
    goalId: goal.id,
    data: {
      ...data,
      template: plan.template,
      tasks: tasks.map((t) => ({
        id: t.id,
        name: t.name,
        skills: t.skills,
        depends_on: t.dependsOn.map((id) => names.get(id) ?? id),
        state: t.state,
      })),
    },
  });
  const running = await setGoalState(tx, grown, 'running', ctx, events, { template: plan.template });
  return { goal: running, tasks };
}

/** A new planning round: a task carrying the rejected proposal and its problems. */
async function repair(
  tx: Tx,
  goal: Goal,
  planning: GoalPlanning,
  previous: { proposal: unknown; problems: readonly PlanProblem[] },
  ctx: VerbContext,
  agents: readonly { skills: readonly string[]; state: string }[],
): Promise<void> {
  const planned = planningTask({
    goal: goal.goal,
    context: planning.context,
    planner: planning.planner,
    priority: goal.priority,
    round: planning.rejected,
    agentSkills: agents.filter((a) => a.state === 'active' || a.state === 'draining').map((a) => a.skills),
    limits: ctx.config.limits,
    bounds: planBounds(ctx.config),
    estimateMs: PLANNING_ESTIMATE_MS,
    previous,
  });
  const [task] = taskRecords(goal.id, { template: PLANNER_TEMPLATE, tasks: [planned] }, ctx);
  if (task === undefined) return;
  await tx.insertTasks([task]);
  await tx.putGoal({ ...goal, planning, taskCount: goal.taskCount + 1, updatedAt: ctx.now });
}

/** No proposal was accepted and no template takes the goal: it fails with the last problems. */
async function rejectGoal(
  tx: Tx,
  goal: Goal,
  ctx: VerbContext,
  events: EventBatch,
  problems: readonly PlanProblem[],
): Promise<void> {
  const n = goal.planning?.rejected ?? 0;
  await setGoalState(tx, goal, 'failed', ctx, events, {
    code: 'KOS_ERR_PLAN_REJECTED',
    reason: `${n} proposal${n === 1 ? ' was' : 's were'} rejected and no template takes the goal: ${problems
      .map((p) => p.message)
      .join(' ')}`,
    problems: problems.map(report),
  });
}
