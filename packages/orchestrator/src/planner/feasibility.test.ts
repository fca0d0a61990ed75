import { describe, expect, it } from 'vitest';
import { feasibility } from './feasibility.ts';
import type { Plan, PlannedTask } from './types.ts';

const task = (name: string, skills: string[]): PlannedTask => ({
  name,
  skills,
  priority: 'medium',
  estimatedDurationMs: 1,
  dependsOn: [],
  input: null,
});

describe('feasibility', () => {
  const plan: Plan = {
    template: 'explicit',
    tasks: [task('A', ['x', 'y']), task('B', ['y', 'z']), task('C', ['x']), task('D', ['y', 'y'])],
  };

  it('is feasible when every required skill is offered by some agent', () => {
    expect(feasibility(plan, new Set(['x', 'y', 'z']))).toEqual({ feasible: true, missingSkills: [] });
  });

  it('names each missing skill once with the tasks needing it, in plan order', () => {
    expect(feasibility(plan, new Set(['x']))).toEqual({
      feasible: false,
      missingSkills: [
        { skill: 'y', tasks: ['A', 'B', 'D'] },
        { skill: 'z', tasks: ['B'] },
      ],
    });
  });
});
