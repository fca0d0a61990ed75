import { roundSkills } from '../scheduler/fallback.ts';
import type { Task } from '../scheduler/task.ts';

export interface MissingSkill {
  skill: string;
  /** Names of the plan's tasks that need it, in plan order. */
  tasks: string[];
}

export interface Feasibility {
  feasible: boolean;
  missingSkills: MissingSkill[];
}

/** A task as feasibility judges it: with its resolved policy (its fallback skills). */
export type FeasibilityTask = Pick<Task, 'name' | 'skills' | 'attempts' | 'policy'>;

/**
 * Which skills of the tasks no agent offers, judged on the skills a round would match each task
 * on (`roundSkills`): its own, or its fallback skills when the agents lack its own. A skill is
 * checked on its own: a task needing [a, b] counts as feasible when one agent has a and another
 * has b. The caller decides what an infeasible plan means (reject it, or store it and let its
 * tasks wait for an agent).
 */
export function feasibility(
  tasks: readonly FeasibilityTask[],
  availableSkills: ReadonlySet<string>,
): Feasibility {
  const missing = new Map<string, string[]>();
  for (const task of tasks) {
    for (const skill of new Set(roundSkills(task, availableSkills))) {
      if (availableSkills.has(skill)) continue;
      const names = missing.get(skill);
      if (names === undefined) missing.set(skill, [task.name]);
      else names.push(task.name);
    }
  }
  const missingSkills = [...missing].map(([skill, names]) => ({ skill, tasks: names }));
  return { feasible: missingSkills.length === 0, missingSkills };
}
