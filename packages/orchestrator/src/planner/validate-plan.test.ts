import { isKosError, type KosError } from '@kos/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findCycle } from './dag.ts';
import type { PlanLimits, PlannedTask } from './types.ts';
import { validatePlan } from './validate-plan.ts';

const limits: PlanLimits = { maxTasksPerGoal: 5000, maxSkillsPerEntity: 3, maxInputBytes: 100 };

function task(name: string, dependsOn: string[] = [], extra: Partial<PlannedTask> = {}): PlannedTask {
  return {
    name,
    skills: ['s'],
    priority: 'medium',
    estimatedDurationMs: 1000,
    dependsOn,
    input: null,
    ...extra,
  };
}

function rejection(tasks: PlannedTask[], custom: PlanLimits = limits): KosError {
  try {
    validatePlan({ template: 'explicit', tasks }, custom);
  } catch (e) {
    if (isKosError(e)) return e;
    throw e;
  }
  throw new Error('expected a KosError');
}

/** The details of the first problem alone, without the list of every problem. */
function ownDetails(e: KosError): Record<string, unknown> {
  const { plan_problems: _all, ...own } = e.details ?? {};
  return own;
}

describe('validatePlan', () => {
  it('accepts a diamond whose dependencies are declared after their dependants', () => {
    const tasks = [task('D', ['B', 'C']), task('B', ['A']), task('C', ['A']), task('A')];
    expect(() => validatePlan({ template: 'explicit', tasks }, limits)).not.toThrow();
  });

  it('rejects duplicate task names', () => {
    const e = rejection([task('A'), task('B'), task('A')]);
    expect([e.code, e.details]).toEqual([
      'KOS_ERR_DAG_DUPLICATE_TASK',
      {
        name: 'A',
        plan_problems: [
          { code: 'KOS_ERR_DAG_DUPLICATE_TASK', path: 'tasks/2/name', task: 'A', message: e.message },
        ],
      },
    ]);
  });

  it('rejects a dependency on an unknown task', () => {
    const e = rejection([task('A'), task('B', ['A', 'Z'])]);
    expect([e.code, e.details]).toEqual([
      'KOS_ERR_DAG_UNKNOWN_DEPENDENCY',
      {
        task: 'B',
        dependency: 'Z',
        plan_problems: [
          {
            code: 'KOS_ERR_DAG_UNKNOWN_DEPENDENCY',
            path: 'tasks/1/depends_on/1',
            task: 'B',
            message: e.message,
          },
        ],
      },
    ]);
  });

  it('rejects a cycle and names it in the message and details', () => {
    const e = rejection([task('A', ['B']), task('B', ['C']), task('C', ['A']), task('D', ['A'])]);
    expect([e.code, e.details]).toEqual([
      'KOS_ERR_DAG_CYCLE',
      {
        cycle: ['A', 'B', 'C', 'A'],
        plan_problems: [
          { code: 'KOS_ERR_DAG_CYCLE', path: 'tasks/0/depends_on', task: 'A', message: e.message },
        ],
      },
    ]);
    expect(e.message).toContain('A → B → C → A');
  });

  it('rejects a task that depends on itself as a cycle', () => {
    const e = rejection([task('A'), task('B', ['B'])]);
    expect([e.code, (e.details as { cycle: string[] }).cycle]).toEqual(['KOS_ERR_DAG_CYCLE', ['B', 'B']]);
  });

  it('lists every problem of a plan with its path and task, the first one deciding the code', () => {
    const e = rejection([
      task('A', [], { skills: [] }),
      task('B', ['Z', 'A', 'Y']),
      task('B'),
      task('C', [], { estimatedDurationMs: -1 }),
    ]);
    expect(e.code).toBe('KOS_ERR_VALIDATION');
    const problems = (e.details as { plan_problems: { code: string; path: string; task: string }[] })
      .plan_problems;
    expect(problems.map((p) => [p.code, p.path, p.task])).toEqual([
      ['KOS_ERR_VALIDATION', 'tasks/0/skills', 'A'],
      ['KOS_ERR_VALIDATION', 'tasks/3/estimated_duration_ms', 'C'],
      ['KOS_ERR_DAG_DUPLICATE_TASK', 'tasks/2/name', 'B'],
      ['KOS_ERR_DAG_UNKNOWN_DEPENDENCY', 'tasks/1/depends_on/0', 'B'],
      ['KOS_ERR_DAG_UNKNOWN_DEPENDENCY', 'tasks/1/depends_on/2', 'B'],
    ]);
  });

  it('rejects more tasks than limits.maxTasksPerGoal', () => {
    const e = rejection([task('A'), task('B'), task('C')], { ...limits, maxTasksPerGoal: 2 });
    expect([e.code, ownDetails(e)]).toEqual([
      'KOS_ERR_LIMIT_EXCEEDED',
      { limit: 'maxTasksPerGoal', value: 3, max: 2 },
    ]);
  });

  it('rejects more skills per task than limits.maxSkillsPerEntity', () => {
    const e = rejection([task('A', [], { skills: ['a', 'b', 'c', 'd'] })]);
    expect([e.code, ownDetails(e)]).toEqual([
      'KOS_ERR_LIMIT_EXCEEDED',
      { limit: 'maxSkillsPerEntity', value: 4, max: 3, task: 'A' },
    ]);
  });

  it('rejects an input whose JSON is larger than limits.maxInputBytes, counting UTF-8 bytes', () => {
    // 48 two-byte characters + 2 quotes = 98 bytes passes; 50 of them (102 bytes) does not.
    expect(() =>
      validatePlan({ template: 'x', tasks: [task('A', [], { input: 'é'.repeat(49) })] }, limits),
    ).not.toThrow();
    const e = rejection([task('A', [], { input: 'é'.repeat(50) })]);
    expect([e.code, ownDetails(e)]).toEqual([
      'KOS_ERR_LIMIT_EXCEEDED',
      { limit: 'maxInputBytes', value: 102, max: 100, task: 'A' },
    ]);
  });

  it('rejects an empty task list, an empty skill list and malformed fields', () => {
    expect(ownDetails(rejection([]))).toEqual({ field: 'tasks' });
    const cases: [Partial<PlannedTask>, string][] = [
      [{ skills: [] }, 'skills'],
      [{ skills: [''] }, 'skills'],
      [{ name: ' ' }, 'name'],
      [{ priority: 'urgent' as PlannedTask['priority'] }, 'priority'],
      [{ estimatedDurationMs: Number.NaN }, 'estimatedDurationMs'],
      [{ input: { n: 1n } }, 'input'],
    ];
    for (const [extra, field] of cases) {
      const e = rejection([task('A', [], extra)]);
      expect([e.code, e.details?.['field']]).toEqual(['KOS_ERR_VALIDATION', field]);
    }
  });

  it('validates a 2,000-task chain declared in reverse without overflowing the stack', () => {
    const tasks = Array.from({ length: 2000 }, (_, i) =>
      task(`t${1999 - i}`, i === 1999 ? [] : [`t${1998 - i}`]),
    );
    expect(() => validatePlan({ template: 'explicit', tasks }, limits)).not.toThrow();
    // Close the chain: the 2,001-node cycle is found iteratively too.
    tasks[tasks.length - 1] = task('t0', ['t1999']);
    expect(rejection(tasks).details?.['cycle']).toHaveLength(2001);
  });

  it('finds a cycle in a 50,000-task chain without recursion', () => {
    const nodes = Array.from({ length: 50_000 }, (_, i) => ({
      name: `t${i}`,
      dependsOn: [`t${(i + 1) % 50_000}`],
    }));
    expect(findCycle(nodes)).toHaveLength(50_001);
  });
});

/** A random DAG: node i may depend only on lower-numbered nodes; declared in a shuffled order. */
const dagArbitrary = fc.integer({ min: 2, max: 30 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
    order: fc.shuffledSubarray(
      Array.from({ length: n }, (_, i) => i),
      { minLength: n, maxLength: n },
    ),
  }),
);

function buildDag({
  n,
  edges,
  order,
}: {
  n: number;
  edges: [number, number][];
  order: number[];
}): Map<string, string[]> {
  const deps = new Map<string, string[]>(Array.from({ length: n }, (_, i) => [`t${i}`, []]));
  deps.get('t1')?.push('t0'); // at least one edge, so there is always a path to close
  for (const [a, b] of edges) {
    const list = deps.get(`t${Math.max(a, b)}`);
    const dep = `t${Math.min(a, b)}`;
    if (a !== b && list !== undefined && !list.includes(dep)) list.push(dep);
  }
  return new Map(order.map((i) => [`t${i}`, deps.get(`t${i}`) ?? []]));
}

const toTasks = (dag: Map<string, string[]>): PlannedTask[] =>
  [...dag].map(([name, deps]) => task(name, [...deps]));

describe('validatePlan on random DAGs', () => {
  it('accepts every acyclic graph', () => {
    fc.assert(
      fc.property(dagArbitrary, (spec) => {
        validatePlan({ template: 'explicit', tasks: toTasks(buildDag(spec)) }, limits);
      }),
    );
  });

  it('rejects a graph with a back edge and reports a real cycle of it', () => {
    fc.assert(
      fc.property(
        dagArbitrary,
        fc.nat(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        (spec, start, walk) => {
          const dag = buildDag(spec);
          // Walk dependencies from a node that has some, then make the walk's end depend on its start.
          const withDeps = [...dag].filter(([, deps]) => deps.length > 0).map(([name]) => name);
          const from = withDeps[start % withDeps.length] ?? 't1';
          let end = from;
          for (const choice of walk) {
            const deps = dag.get(end) ?? [];
            if (deps.length === 0) break;
            end = deps[choice % deps.length] ?? end;
          }
          dag.get(end)?.push(from);

          const e = rejection(toTasks(dag));
          expect(e.code).toBe('KOS_ERR_DAG_CYCLE');
          const cycle = e.details?.['cycle'] as string[];
          expect(cycle.length).toBeGreaterThanOrEqual(3);
          expect(cycle[0]).toBe(cycle[cycle.length - 1]);
          expect(new Set(cycle.slice(1)).size).toBe(cycle.length - 1);
          for (let i = 0; i + 1 < cycle.length; i++) {
            expect(dag.get(cycle[i] ?? '')).toContain(cycle[i + 1]);
          }
        },
      ),
    );
  });
});
