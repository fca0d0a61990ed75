/**
 * The goal planner: goal → validated DAG of tasks.
 *
 * ```ts
 * const library = await loadTemplates(config.templatesDir);
 * const plan = decompose(library, 'analyze customer data trends', 'Q4 2024', config.limits);
 * // plan.template === 'analysis'; plan.tasks: Data Collection → Data Analysis → Report Generation
 * // Once submitted, the tasks (with their resolved policies) against the skills agents offer:
 * const report = feasibility(tasks, new Set(['data_collection', 'data_analysis']));
 * // report.missingSkills: [{ skill: 'reporting', tasks: ['Report Generation'] }]
 * ```
 */
export { decompose, planFromTasks } from './decompose.ts';
export type { DecomposeOptions } from './decompose.ts';
export { feasibility } from './feasibility.ts';
export type { Feasibility, FeasibilityTask, MissingSkill } from './feasibility.ts';
export { loadTemplates } from './template-library.ts';
export type { TemplateLibrary } from './template-library.ts';
export { validatePlan } from './validate-plan.ts';
export type {
  GoalContext,
  Plan,
  PlanLimits,
  PlannedTask,
  TemplateMatch,
  TemplateTask,
  WorkflowTemplate,
} from './types.ts';
