/**
 * The scheduler: pure decisions with no I/O. Inputs in, decisions out; time and randomness are
 * injected (`now`, `random`), so every function here is deterministic and unit-testable.
 *
 * ```ts
 * import { planRound, readyKey, retryDelayMs } from './scheduler/index.ts';
 * const key = readyKey(now, 'high', config.scheduler.agingStepMs);
 * const { assignments, unassigned } = planRound({ tasks, agents, policy: config });
 * const delayMs = retryDelayMs(task.attempts, config.retry, Math.random);
 * ```
 */
export { retryDelayCapMs, retryDelayMs } from './backoff.ts';
export { GOAL_TRANSITIONS, moveGoal } from './goal.ts';
export type { Goal, GoalState } from './goal.ts';
export { readyKey } from './ready-key.ts';
export { compareReady, planRound } from './round.ts';
export type { Assignment, RoundInput, RoundPlan } from './round.ts';
export {
  comparePairs,
  historyScore,
  pairValue,
  scorePair,
  TIER_FALLBACK_ONLY,
  TIER_UNTRUSTED,
  VALUE_WEIGHTS,
} from './score.ts';
export type {
  Incapable,
  PairParts,
  PairScore,
  RoundAgent,
  RoundTask,
  SchedulingPolicy,
  ScoreOptions,
} from './score.ts';
export {
  isTerminalTask,
  LEASED_TASK_STATES,
  moveTask,
  TASK_TRANSITIONS,
  TERMINAL_TASK_STATES,
} from './task.ts';
export type { Task, TaskError, TaskState } from './task.ts';
export { buildTensor } from './tensor.ts';
export type { Tensor, TensorEntry, TensorInput, TensorTask } from './tensor.ts';
export { assertTransition, canTransition } from './transitions.ts';
export type { TransitionTable } from './transitions.ts';
export { nextTrust, TRUST_WEIGHT } from './trust.ts';
export type { AttemptOutcome } from './trust.ts';
export { AGENT_TRANSITIONS, canTakeWork, moveAgent } from '../registry/agent.ts';
export type { Agent, AgentState, SkillStats } from '../registry/agent.ts';
