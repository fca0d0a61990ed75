import type { Priority } from '@kos/protocol';
import type { GoalPolicy } from './policy.ts';
import { assertTransition, type TransitionTable } from './transitions.ts';

/**
 * Goal lifecycle.
 * - `running`   has unfinished tasks
 * - `succeeded` every task succeeded (terminal)
 * - `failed`    a task died (fail_fast: unfinished tasks were cancelled; continue: every task
 *               settled with at least one dead). An operator's retry of a dead task reopens it.
 * - `cancelled` cancelled by a user; unfinished tasks were cancelled (terminal)
 */
export type GoalState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export const GOAL_TRANSITIONS: TransitionTable<GoalState> = {
  running: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: ['running'],
  cancelled: [],
};

export interface Goal {
  id: string;
  goal: string;
  context: string;
  /** The template that decomposed it, or 'explicit' for a submitted DAG. */
  template: string;
  priority: Priority;
  state: GoalState;
  taskCount: number;
  succeededCount: number;
  /** Tasks now dead, and tasks skipped (cancelled because a branch was not taken or a dependency died). */
  deadCount: number;
  skippedCount: number;
  policy: GoalPolicy;
  submittedBy: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export function moveGoal(goal: Goal, to: GoalState, now: number): Goal {
  assertTransition(GOAL_TRANSITIONS, 'goal', goal.id, goal.state, to);
  return { ...goal, state: to, updatedAt: now, finishedAt: to === 'running' ? null : now };
}
