import { plannerSkill, type PlanningInput, type PlanProblemReport, type Priority } from '@kos/protocol';
import type { PlanBounds } from './proposal.ts';
import type { PlanLimits, PlannedTask } from './types.ts';
import type { PlanProblem } from './validate-plan.ts';

/** What a planning round needs to say to the planner. */
export interface PlanningRound {
  goal: string;
  context: unknown;
  planner: string;
  priority: Priority;
  /** 0: the first proposal; n: the n-th repair. */
  round: number;
  /** Every skill offered by a registered agent, once per agent. */
  agentSkills: readonly (readonly string[])[];
  limits: PlanLimits;
  bounds: PlanBounds;
  estimateMs: number;
  previous?: { proposal: unknown; problems: readonly PlanProblem[] } | undefined;
}

/** The name of a planning round's task: unique within its goal. */
export const planningTaskName = (round: number): string =>
  round === 0 ? 'Planning' : `Planning (repair ${round})`;

/** The planning task of one round: skill `planning` (or `planning/<name>`), its input the round. */
export function planningTask(r: PlanningRound): PlannedTask {
  const counts = new Map<string, number>();
  for (const skills of r.agentSkills)
    for (const s of new Set(skills)) counts.set(s, (counts.get(s) ?? 0) + 1);
  const input: PlanningInput = {
    goal: r.goal,
    context: r.context,
    round: r.round,
    fleet: [...counts]
      .filter(([skill]) => !skill.startsWith('planning'))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([skill, agents]) => ({ skill, agents })),
    limits: {
      max_tasks: r.limits.maxTasksPerGoal,
      max_skills_per_task: r.limits.maxSkillsPerEntity,
      max_input_bytes: r.limits.maxInputBytes,
      max_depth: r.bounds.maxDepth,
      max_critical_path_ms: r.bounds.maxCriticalPathMs,
    },
    ...(r.previous === undefined
      ? {}
      : { previous: { proposal: r.previous.proposal, problems: r.previous.problems.map(report) } }),
  };
  return {
    name: planningTaskName(r.round),
    skills: [plannerSkill(r.planner)],
    priority: r.priority,
    estimatedDurationMs: r.estimateMs,
    dependsOn: [],
    input,
  };
}

/** A problem as the planner and the event log see it. */
export function report(p: PlanProblem): PlanProblemReport {
  return { code: p.code, message: p.message, path: p.path, task: p.task };
}
