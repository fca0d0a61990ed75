import type { WorkflowTemplate } from '../planner/index.ts';
import type { Feasibility } from '../planner/index.ts';
import type { Goal } from '../scheduler/goal.ts';
import type { Task } from '../scheduler/task.ts';
import { goalRecords } from '../store/verbs/goals.ts';
import { actorId, type Actor, type Core } from './core.ts';
import { feasibilityNow, goalSubmission, type GoalRequest } from './goals.ts';

/** The planner's templates, in the order a goal is matched against them. */
export function listTemplates(core: Core): readonly WorkflowTemplate[] {
  return core.templates.list();
}

export interface GoalPreview {
  /** The goal as it would be stored (its id is provisional: nothing is stored). */
  goal: Goal;
  /** The tasks as they would be stored, in the states they would start in. */
  tasks: Task[];
  feasibility: Feasibility;
}

/**
 * The goal and tasks a submission of `req` would create, validated exactly as `submitGoal`
 * validates it (the same errors), judged against the agents known now; nothing is stored and no
 * event is written.
 */
export async function previewGoal(core: Core, actor: Actor, req: GoalRequest): Promise<GoalPreview> {
  const sub = await goalSubmission(core, req);
  const { goal, tasks } = goalRecords(sub, {
    now: core.store.now(),
    actor: actorId(actor),
    config: core.config,
  });
  return { goal, tasks, feasibility: await feasibilityNow(core, tasks) };
}
