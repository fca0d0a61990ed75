import { TaskState } from '@a2a-js/sdk';
import type { Goal, GoalState } from '../../scheduler/goal.ts';
import type { TaskState as KosTaskState } from '../../scheduler/task.ts';

/** Task states that mean work on the goal has begun (an attempt, or a task already settled). */
const STARTED: ReadonlySet<KosTaskState> = new Set([
  'leased',
  'running',
  'cancelling',
  'retrying',
  'succeeded',
  'dead',
  'cancelled',
]);

/**
 * The A2A state of a goal (an A2A task is a kOS goal), from the goal's state and its tasks'.
 * docs/interop.md#a2a-states has this as a table; a test checks the table against this function.
 * - a finished goal maps one to one: succeeded → completed, failed → failed, cancelled → canceled;
 * - a running goal with a task awaiting approval is `input-required` (an approval answers it);
 * - a running goal on which work has begun is `working`; one whose tasks all still wait is `submitted`;
 *   a planning goal likewise, by its planning tasks.
 */
export function a2aStateOf(
  goal: Pick<Goal, 'state'>,
  tasks: readonly { state: KosTaskState; attempts: number }[],
): TaskState {
  const finished: Record<Exclude<GoalState, 'running' | 'planning'>, TaskState> = {
    succeeded: TaskState.TASK_STATE_COMPLETED,
    failed: TaskState.TASK_STATE_FAILED,
    cancelled: TaskState.TASK_STATE_CANCELED,
  };
  // A planning goal's tasks are its planning tasks: one leased to a planner is work begun.
  if (goal.state !== 'running' && goal.state !== 'planning') return finished[goal.state];
  if (tasks.some((t) => t.state === 'awaiting_approval')) return TaskState.TASK_STATE_INPUT_REQUIRED;
  if (tasks.some((t) => STARTED.has(t.state) || t.attempts > 0)) return TaskState.TASK_STATE_WORKING;
  return TaskState.TASK_STATE_SUBMITTED;
}

/** Terminal A2A states: nothing follows them, a stream ends there. */
export function isFinalA2aState(s: TaskState): boolean {
  return (
    s === TaskState.TASK_STATE_COMPLETED ||
    s === TaskState.TASK_STATE_FAILED ||
    s === TaskState.TASK_STATE_CANCELED ||
    s === TaskState.TASK_STATE_REJECTED
  );
}

/** Where a stream or a blocking `SendMessage` stops: a final state, or one that waits for the client. */
export function endsWait(s: TaskState): boolean {
  return (
    isFinalA2aState(s) ||
    s === TaskState.TASK_STATE_INPUT_REQUIRED ||
    s === TaskState.TASK_STATE_AUTH_REQUIRED
  );
}
