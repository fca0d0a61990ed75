import { AgentState, EventKind, GoalState, TaskState } from '@kos/contracts';

/** The values of a union of literals, in the order @kos/contracts declares them (one source of truth). */
const literals = <T extends string>(union: { anyOf: readonly { const: unknown }[] }): readonly T[] =>
  union.anyOf.map((s) => String(s.const) as T);

export const GOAL_STATES = literals<GoalState>(GoalState);
export const TASK_STATES = literals<TaskState>(TaskState);
export const AGENT_STATES = literals<AgentState>(AgentState);
export const EVENT_KINDS = literals<EventKind>(EventKind);
