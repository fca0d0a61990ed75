import { describe, expect, it } from 'vitest';
import type { TaskState, WireGoal, WireTask } from '@kos/contracts';
import { LineView, progressOf, stateChanges } from './progress.ts';
import { TASK_STATES } from './states.ts';

const task = (id: string, state: TaskState): WireTask =>
  ({ id, name: `task ${id}`, state }) as Partial<WireTask> as WireTask;
const goal = (state: WireGoal['state'], done: number): WireGoal =>
  ({ id: 'goal-0001-xyz', state, succeeded_count: done, task_count: 2 }) as Partial<WireGoal> as WireGoal;

describe('progressOf', () => {
  it('maps waiting states to 0, held states to 50 and success to 100', () => {
    const mapped = Object.fromEntries(TASK_STATES.map((s) => [s, progressOf(s)]));
    expect(mapped).toEqual({
      pending: 0,
      awaiting_approval: 0,
      ready: 0,
      leased: 50,
      running: 50,
      cancelling: 50,
      retrying: 0,
      succeeded: 100,
      dead: 0,
      cancelled: 0,
    });
  });
});

describe('stateChanges', () => {
  it('reports new tasks from null and changed tasks, not unchanged ones', () => {
    const seen = new Map<string, TaskState>([
      ['a', 'ready'],
      ['b', 'leased'],
    ]);
    const changes = stateChanges(seen, [task('a', 'ready'), task('b', 'succeeded'), task('c', 'pending')]);
    expect(changes).toEqual([
      { taskId: 'b', name: 'task b', from: 'leased', to: 'succeeded' },
      { taskId: 'c', name: 'task c', from: null, to: 'pending' },
    ]);
  });
});

describe('LineView', () => {
  it('prints one line per task state change and per goal state change', () => {
    const lines: string[] = [];
    const view = new LineView((l) => lines.push(l.replace(/^\+\d+\.\ds /, '')));
    view.show(goal('running', 0), [task('a', 'ready'), task('b', 'pending')]);
    view.show(goal('running', 0), [task('a', 'ready'), task('b', 'pending')]);
    view.show(goal('succeeded', 2), [task('a', 'succeeded'), task('b', 'succeeded')]);
    expect(lines).toEqual([
      'task task a (a) ready',
      'task task b (b) pending',
      'goal goal-000 running (0/2)',
      'task task a (a) ready → succeeded',
      'task task b (b) pending → succeeded',
      'goal goal-000 succeeded (2/2)',
    ]);
  });
});
