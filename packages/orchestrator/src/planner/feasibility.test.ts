import { describe, expect, it } from 'vitest';
import { defaultTaskPolicy, type TaskPolicy } from '../scheduler/policy.ts';
import { feasibility, type FeasibilityTask } from './feasibility.ts';

const RETRY: TaskPolicy['retry'] = {
  maxAttempts: 3,
  delayStrategy: 'fixed',
  baseDelayMs: 1,
  maxDelayMs: 1,
  jitter: false,
};

const task = (name: string, skills: string[], fallback: TaskPolicy['fallback'] = null): FeasibilityTask => ({
  name,
  skills,
  attempts: 0,
  policy: { ...defaultTaskPolicy(RETRY), fallback },
});

describe('feasibility', () => {
  const tasks = [task('A', ['x', 'y']), task('B', ['y', 'z']), task('C', ['x']), task('D', ['y', 'y'])];

  it('is feasible when every required skill is offered by some agent', () => {
    expect(feasibility(tasks, new Set(['x', 'y', 'z']))).toEqual({ feasible: true, missingSkills: [] });
  });

  it('names each missing skill once with the tasks needing it, in plan order', () => {
    expect(feasibility(tasks, new Set(['x']))).toEqual({
      feasible: false,
      missingSkills: [
        { skill: 'y', tasks: ['A', 'B', 'D'] },
        { skill: 'z', tasks: ['B'] },
      ],
    });
  });

  it('judges a task on the skills a round would match: its fallback skills when no agent has its own', () => {
    const fallback = { skills: ['manual'], afterAttempts: 1 };
    const plan = [
      task('auto', ['auto'], fallback),
      task('later', ['auto'], { skills: ['x'], afterAttempts: 0 }),
    ];
    // Its own skills are offered: it runs on them, whatever its fallback.
    expect(feasibility(plan.slice(0, 1), new Set(['auto'])).feasible).toBe(true);
    // Only the fallback is offered: a round matches it there at once.
    expect(feasibility(plan.slice(0, 1), new Set(['manual'])).feasible).toBe(true);
    // Neither: it would wait for its fallback skills, which are what is missing.
    expect(feasibility(plan, new Set(['auto']))).toEqual({
      feasible: false,
      missingSkills: [{ skill: 'x', tasks: ['later'] }],
    });
    expect(feasibility(plan.slice(0, 1), new Set())).toEqual({
      feasible: false,
      missingSkills: [{ skill: 'manual', tasks: ['auto'] }],
    });
  });
});
