import { KosError } from '@kos/protocol';
import { substituteParameters } from './parameters.ts';
import type { TemplateLibrary } from './template-library.ts';
import type { GoalContext, Plan, PlanLimits, PlannedTask } from './types.ts';
import { validatePlan } from './validate-plan.ts';

export interface DecomposeOptions {
  /** Use this template instead of the first matching one. */
  template?: string | undefined;
}

/**
 * Decomposes a goal with the first template that matches it (or the one named in `options`),
 * substituting `${goal}` / `${context}` parameters into each task's input, and validates the plan.
 */
export function decompose(
  library: TemplateLibrary,
  goal: string,
  context: GoalContext,
  limits: PlanLimits,
  options: DecomposeOptions = {},
): Plan {
  if (goal.trim() === '') {
    throw new KosError('KOS_ERR_VALIDATION', 'The goal text is empty; say what should be done.', {
      field: 'goal',
    });
  }
  const template = options.template === undefined ? library.match(goal) : library.get(options.template);
  if (template === undefined) {
    const known = library.list().map((t) => t.name);
    throw new KosError(
      'KOS_ERR_VALIDATION',
      `No workflow template is named "${options.template}"; known templates: ${known.join(', ')}.`,
      { field: 'template', template: options.template, known },
    );
  }
  const tasks = template.tasks.map((t): PlannedTask => ({
    name: t.name,
    skills: [...t.skills],
    priority: t.priority,
    estimatedDurationMs: t.estimatedDurationMs,
    dependsOn: [...t.dependsOn],
    input: substituteParameters(t.input, { goal, context }),
    ...(t.policy === undefined ? {} : { policy: t.policy }),
  }));
  const plan = { template: template.name, tasks };
  validatePlan(plan, limits);
  return plan;
}

/** A plan from a submitted DAG (template 'explicit'); dependencies may name later tasks. */
export function planFromTasks(tasks: readonly PlannedTask[], limits: PlanLimits): Plan {
  const plan = {
    template: 'explicit',
    tasks: tasks.map((t) => ({ ...t, skills: [...t.skills], dependsOn: [...t.dependsOn] })),
  };
  validatePlan(plan, limits);
  return plan;
}
