import type { Plan } from './types.ts';

export interface MissingSkill {
  skill: string;
  /** Names of the plan's tasks that need it, in plan order. */
  tasks: string[];
}

export interface Feasibility {
  feasible: boolean;
  missingSkills: MissingSkill[];
}

/**
 * Which skills of the plan no registered agent offers. A skill is checked on its own: a task
 * needing [a, b] counts as feasible when one agent has a and another has b. The caller decides
 * what an infeasible plan means (reject it, or store it and let its tasks wait for an agent).
 */
export function feasibility(plan: Plan, availableSkills: ReadonlySet<string>): Feasibility {
  const missing = new Map<string, string[]>();
  for (const task of plan.tasks) {
    for (const skill of new Set(task.skills)) {
      if (availableSkills.has(skill)) continue;
      const tasks = missing.get(skill);
      if (tasks === undefined) missing.set(skill, [task.name]);
      else tasks.push(task.name);
    }
  }
  const missingSkills = [...missing].map(([skill, tasks]) => ({ skill, tasks }));
  return { feasible: missingSkills.length === 0, missingSkills };
}
