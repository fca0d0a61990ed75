/**
 * Runtime lists of the server's state unions, for `--state` choices. The checks below fail to
 * compile when the server gains a state this list lacks.
 */
import type { AgentState, GoalState, TaskState } from '@kos/contracts';

export const TASK_STATES = [
  'pending',
  'awaiting_approval',
  'ready',
  'leased',
  'running',
  'cancelling',
  'retrying',
  'succeeded',
  'dead',
  'cancelled',
] as const satisfies readonly TaskState[];
export const GOAL_STATES = [
  'planning',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const satisfies readonly GoalState[];
export const AGENT_STATES = [
  'active',
  'draining',
  'lost',
  'unregistered',
  'quarantined',
] as const satisfies readonly AgentState[];

type Complete<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : false;
export const STATE_LISTS_COMPLETE: [
  Complete<TaskState, (typeof TASK_STATES)[number]>,
  Complete<GoalState, (typeof GOAL_STATES)[number]>,
  Complete<AgentState, (typeof AGENT_STATES)[number]>,
] = [true, true, true];

export const TERMINAL_GOAL_STATES: readonly GoalState[] = ['succeeded', 'failed', 'cancelled'];
