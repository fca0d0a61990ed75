import { isKosError, type KosError } from '@kos/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { decompose, planFromTasks } from './decompose.ts';
import { loadTemplates, type TemplateLibrary } from './template-library.ts';
import type { Plan, PlanLimits } from './types.ts';

const limits: PlanLimits = { maxTasksPerGoal: 100, maxSkillsPerEntity: 8, maxInputBytes: 4096 };
let library: TemplateLibrary;

beforeAll(async () => {
  library = await loadTemplates(null);
});

function shape(plan: Plan): unknown[] {
  return plan.tasks.map((t) => [t.name, t.skills, t.priority, t.dependsOn]);
}

function thrown(f: () => unknown): KosError {
  try {
    f();
  } catch (e) {
    if (isKosError(e)) return e;
    throw e;
  }
  throw new Error('expected a KosError');
}

describe('decompose with the built-in templates (seed 002)', () => {
  it('splits an analysis goal into collection, analysis and report, in a chain', () => {
    const plan = decompose(library, 'analyze customer data trends', 'Q4 2024', limits);
    expect(plan.template).toBe('analysis');
    expect(shape(plan)).toEqual([
      ['Data Collection', ['data_collection'], 'high', []],
      ['Data Analysis', ['data_analysis'], 'high', ['Data Collection']],
      ['Report Generation', ['reporting'], 'medium', ['Data Analysis']],
    ]);
  });

  it('splits a development goal into requirements, design, implementation and testing, in a chain', () => {
    const plan = decompose(library, 'develop authentication system', '', limits);
    expect(plan.template).toBe('development');
    expect(shape(plan)).toEqual([
      ['Requirements Analysis', ['requirements'], 'high', []],
      ['Design Phase', ['design'], 'high', ['Requirements Analysis']],
      ['Implementation', ['coding'], 'medium', ['Design Phase']],
      ['Testing', ['testing'], 'medium', ['Implementation']],
    ]);
  });

  it('runs any other goal as one Execution task needing the general skill', () => {
    const plan = decompose(library, 'water the office plants', '', limits);
    expect(plan.template).toBe('generic');
    expect(shape(plan)).toEqual([['Execution', ['general'], 'medium', []]]);
  });

  it('gives every built-in task a positive estimated duration', () => {
    for (const goal of ['analyze sales', 'build a parser', 'tidy up']) {
      for (const task of decompose(library, goal, '', limits).tasks)
        expect(task.estimatedDurationMs).toBeGreaterThan(0);
    }
  });
});

describe('template matching', () => {
  it('matches words by prefix and ignores case', () => {
    expect(decompose(library, 'Reporting on churn', '', limits).template).toBe('analysis');
    expect(decompose(library, 'IMPLEMENTING the cache', '', limits).template).toBe('development');
    expect(decompose(library, 'statistics: weekly', '', limits).template).toBe('analysis');
  });

  it('does not match a keyword inside a longer word', () => {
    expect(decompose(library, 'reanalyze nothing; prebuilt stuff', '', limits).template).toBe('generic');
  });

  it('tries lower ranks first when several templates match', () => {
    // "build" (development, rank 20) and "report" (analysis, rank 10) both match.
    expect(decompose(library, 'build a sales report', '', limits).template).toBe('analysis');
  });

  it('uses the named template when one is forced', () => {
    const plan = decompose(library, 'analyze customer data trends', '', limits, { template: 'generic' });
    expect(plan.template).toBe('generic');
  });

  it('rejects a forced template that does not exist, listing the known ones', () => {
    const e = thrown(() => decompose(library, 'x', '', limits, { template: 'nope' }));
    expect(e.code).toBe('KOS_ERR_VALIDATION');
    expect(e.details).toMatchObject({ template: 'nope', known: ['analysis', 'development', 'generic'] });
  });

  it('rejects an empty goal', () => {
    expect(thrown(() => decompose(library, '   ', '', limits)).code).toBe('KOS_ERR_VALIDATION');
  });
});

describe('template parameters', () => {
  it('puts the goal and a string context into each task input', () => {
    const plan = decompose(library, 'analyze customer data trends', 'Q4 2024', limits);
    expect(plan.tasks[0]?.input).toEqual({
      goal: 'analyze customer data trends',
      context: 'Q4 2024',
      step: 'collect',
    });
  });

  it('renders an object context as compact JSON', () => {
    const plan = decompose(library, 'tidy up', { quarter: 'Q4', year: 2024 }, limits);
    expect(plan.tasks[0]?.input).toEqual({ goal: 'tidy up', context: '{"quarter":"Q4","year":2024}' });
  });

  it('gives each plan its own copy of the inputs', () => {
    const first = decompose(library, 'tidy up', 'a', limits);
    (first.tasks[0]?.input as Record<string, unknown>)['goal'] = 'changed';
    expect(decompose(library, 'tidy up', 'a', limits).tasks[0]?.input).toEqual({
      goal: 'tidy up',
      context: 'a',
    });
  });

  it('rejects an instantiated input larger than limits.maxInputBytes', () => {
    const e = thrown(() => decompose(library, 'tidy up', 'x'.repeat(5000), limits));
    expect(e.code).toBe('KOS_ERR_LIMIT_EXCEEDED');
    expect(e.details).toMatchObject({ limit: 'maxInputBytes', max: 4096, task: 'Execution' });
  });
});

describe('planFromTasks', () => {
  it('keeps the declaration order and accepts dependencies on later tasks', () => {
    const plan = planFromTasks(
      [
        { name: 'B', skills: ['s'], priority: 'low', estimatedDurationMs: 1, dependsOn: ['A'], input: null },
        { name: 'A', skills: ['s'], priority: 'low', estimatedDurationMs: 1, dependsOn: [], input: null },
      ],
      limits,
    );
    expect(plan.template).toBe('explicit');
    expect(plan.tasks.map((t) => t.name)).toEqual(['B', 'A']);
  });

  it('rejects a cyclic DAG', () => {
    const e = thrown(() =>
      planFromTasks(
        [
          {
            name: 'A',
            skills: ['s'],
            priority: 'low',
            estimatedDurationMs: 1,
            dependsOn: ['A'],
            input: null,
          },
        ],
        limits,
      ),
    );
    expect(e.code).toBe('KOS_ERR_DAG_CYCLE');
  });
});
