import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TaskState, taskStateToJSON } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { GOAL_TRANSITIONS, type GoalState } from '../../scheduler/goal.ts';
import { TASK_TRANSITIONS, type TaskState as KosTaskState } from '../../scheduler/task.ts';
import { a2aStateOf, endsWait } from './state-map.ts';

const doc = readFileSync(fileURLToPath(new URL('../../../../../docs/interop.md', import.meta.url)), 'utf8');
const section = doc.slice(doc.indexOf('### A2A states'), doc.indexOf('### Push notifications'));
const cell = (s: string) => s.trim().replace(/^`|`$/g, '');
/** The table's rows: goal state, example task states, the A2A state named. */
const rows = section
  .split('\n')
  .filter((l) => l.startsWith('| `'))
  .map((l) => {
    const [goal = '', , examples = '', a2a = ''] = l.split('|').slice(1).map(cell);
    return { goal: goal as GoalState, tasks: examples.split(',').map((t) => t.trim() as KosTaskState), a2a };
  });

describe('the A2A state table of docs/interop.md', () => {
  it('has one row per case, and every row is what a2aStateOf answers', () => {
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const r of rows) {
      const tasks = r.tasks.map((state) => ({ state, attempts: 0 }));
      expect({ ...r, got: taskStateToJSON(a2aStateOf({ state: r.goal }, tasks)) }).toEqual({
        ...r,
        got: r.a2a,
      });
    }
  });

  it('covers every goal state, and every task state in a running goal', () => {
    expect(new Set(rows.map((r) => r.goal))).toEqual(new Set(Object.keys(GOAL_TRANSITIONS)));
    const running = new Set(rows.filter((r) => r.goal === 'running').flatMap((r) => r.tasks));
    expect([...running].sort()).toEqual(Object.keys(TASK_TRANSITIONS).sort());
  });
});

describe('a2aStateOf', () => {
  it('counts a ready task attempted before (its lease was lost) as work begun', () => {
    expect(a2aStateOf({ state: 'running' }, [{ state: 'ready', attempts: 1 }])).toBe(
      TaskState.TASK_STATE_WORKING,
    );
  });

  it('ends waits at the final states and input-required only', () => {
    expect(endsWait(TaskState.TASK_STATE_WORKING)).toBe(false);
    expect(endsWait(TaskState.TASK_STATE_SUBMITTED)).toBe(false);
    expect(endsWait(TaskState.TASK_STATE_INPUT_REQUIRED)).toBe(true);
    expect(endsWait(TaskState.TASK_STATE_COMPLETED)).toBe(true);
  });
});
