import { describe, expect, it } from 'vitest';
import { placeProblems } from './problems.ts';

const names = ['a', 'b', 'c'];

describe('placeProblems', () => {
  it('marks every task of a cycle from the first problem’s details', () => {
    const placed = placeProblems(
      { code: 'KOS_ERR_DAG_CYCLE', message: 'a cycle: a → b → a', details: { cycle: ['a', 'b', 'a'] } },
      names,
    );
    expect([...placed.byTask.keys()]).toEqual([0, 1]);
    expect(placed.byTask.get(1)).toEqual(['KOS_ERR_DAG_CYCLE: a cycle: a → b → a']);
    expect(placed.general).toEqual([]);
  });

  it('places each of plan_problems by its path, and plan-wide ones apart', () => {
    const placed = placeProblems(
      {
        code: 'KOS_ERR_DAG_UNKNOWN_DEPENDENCY',
        message: 'x',
        details: {
          plan_problems: [
            {
              code: 'KOS_ERR_DAG_UNKNOWN_DEPENDENCY',
              path: 'tasks/2/depends_on/0',
              task: 'c',
              message: 'no z',
            },
            { code: 'KOS_ERR_LIMIT_EXCEEDED', path: 'tasks', task: null, message: 'too many' },
          ],
        },
      },
      names,
    );
    expect(placed.byTask.get(2)).toEqual(['KOS_ERR_DAG_UNKNOWN_DEPENDENCY: no z']);
    expect(placed.general).toEqual(['KOS_ERR_LIMIT_EXCEEDED: too many']);
  });

  it('places a schema problem by the task index in its path', () => {
    const placed = placeProblems(
      {
        code: 'KOS_ERR_VALIDATION',
        message: 'invalid',
        details: { problems: ['body/tasks/1/skills must be array'] },
      },
      names,
    );
    expect(placed.byTask.get(1)).toEqual(['KOS_ERR_VALIDATION: body/tasks/1/skills must be array']);
  });

  it('keeps a refusal that names no task as a general problem', () => {
    const placed = placeProblems({ code: 'KOS_ERR_FORBIDDEN', message: 'viewers may not submit' }, names);
    expect(placed.general).toEqual(['KOS_ERR_FORBIDDEN: viewers may not submit']);
    expect(placed.byTask.size).toBe(0);
  });
});
