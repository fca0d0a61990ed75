import type { Priority } from '@kos/protocol';
import type { Plan } from '../planner/types.ts';
import type { GoalPolicy } from './policy.ts';
import { assertTransition, type TransitionTable } from './transitions.ts';

/**
 * Goal lifecycle.
 * - `planning`  a planner agent is proposing its tasks (docs/planning.md): its only tasks are
 *               planning tasks; an accepted plan (or the fallback template's) moves it to running
 * - `running`   has unfinished tasks
 * - `succeeded` every task succeeded (terminal)
 * - `failed`    a task died (fail_fast: unfinished tasks were cancelled; continue: every task
 *               settled with at least one dead). An operator's retry of a dead task reopens it.
 * - `cancelled` cancelled by a user; unfinished tasks were cancelled (terminal)
 */
export type GoalState = 'planning' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const GOAL_TRANSITIONS: TransitionTable<GoalState> = {
  planning: ['running', 'failed', 'cancelled'],
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
  /** Set on a goal planned by a planner agent: how its planning goes on; null otherwise. */
  planning: GoalPlanning | null;
  submittedBy: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** How a goal planned by a planner agent is planned, fixed at submission (docs/planning.md). */
export interface GoalPlanning {
  /** `llm` (any agent with skill planning) or the name of a planner agent. */
  planner: string;
  /** The goal's context as submitted (text or object), for the planner's input. */
  context: unknown;
  /** Rejected proposals get this many new planning rounds with their problems. */
  maxRepairs: number;
  /** Rejected proposals so far. */
  rejected: number;
  /** The template plan used when the last repair is rejected; null: the goal fails. */
  fallback: Plan | null;
}

export function moveGoal(goal: Goal, to: GoalState, now: number): Goal {
  assertTransition(GOAL_TRANSITIONS, 'goal', goal.id, goal.state, to);
  return {
    ...goal,
    state: to,
    updatedAt: now,
    finishedAt: to === 'running' || to === 'planning' ? null : now,
  };
}
