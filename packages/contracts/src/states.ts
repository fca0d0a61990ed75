import { Type, type Static } from 'typebox';

/**
 * The closed vocabularies of the API: lifecycle states, event kinds, roles and codes. The
 * orchestrator's own unions must equal these (packages/orchestrator/test/contracts-types.test.ts),
 * so a state added on one side and not the other fails to compile.
 */

/** Task lifecycle (docs/api.md, "Shapes"; transitions in the orchestrator's scheduler/task.ts). */
export const TaskState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('awaiting_approval'),
  Type.Literal('ready'),
  Type.Literal('leased'),
  Type.Literal('running'),
  Type.Literal('cancelling'),
  Type.Literal('retrying'),
  Type.Literal('succeeded'),
  Type.Literal('dead'),
  Type.Literal('cancelled'),
]);
export type TaskState = Static<typeof TaskState>;

export const GoalState = Type.Union([
  Type.Literal('planning'),
  Type.Literal('running'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type GoalState = Static<typeof GoalState>;

export const AgentState = Type.Union([
  Type.Literal('active'),
  Type.Literal('draining'),
  Type.Literal('lost'),
  Type.Literal('unregistered'),
  Type.Literal('quarantined'),
]);
export type AgentState = Static<typeof AgentState>;

/** Priority tiers, most urgent first: the index is the tensor's third axis (0 = critical). */
export const Priority = Type.Union([
  Type.Literal('critical'),
  Type.Literal('high'),
  Type.Literal('medium'),
  Type.Literal('low'),
]);
export type Priority = Static<typeof Priority>;

export const EventKind = Type.Union([
  Type.Literal('goal.submitted'),
  Type.Literal('goal.state'),
  Type.Literal('plan.proposed'),
  Type.Literal('plan.verdict'),
  Type.Literal('plan.accepted'),
  Type.Literal('task.state'),
  Type.Literal('task.assigned'),
  Type.Literal('task.lease_revoked'),
  Type.Literal('task.result_refused'),
  Type.Literal('agent.registered'),
  Type.Literal('agent.state'),
  Type.Literal('klp.session'),
  Type.Literal('klp.receipts'),
  Type.Literal('security.alert'),
  Type.Literal('audit'),
]);
export type EventKind = Static<typeof EventKind>;

export const TokenRole = Type.Union([
  Type.Literal('admin'),
  Type.Literal('submitter'),
  Type.Literal('agent'),
  Type.Literal('viewer'),
]);
export type TokenRole = Static<typeof TokenRole>;

/** Why a task waits (docs/scheduling.md#why-a-task-waits): the first five are stored by a round. */
export const WaitingCode = Type.Union([
  Type.Literal('missing_skills'),
  Type.Literal('no_capable_agent'),
  Type.Literal('bound_agent'),
  Type.Literal('goal_limit'),
  Type.Literal('concurrency_limit'),
  Type.Literal('queued'),
  Type.Literal('dependencies'),
  Type.Literal('approval'),
  Type.Literal('backoff'),
]);
export type WaitingCode = Static<typeof WaitingCode>;

/** A circuit breaker as of now (docs/agent-health.md). */
export const BreakerState = Type.Union([
  Type.Literal('closed'),
  Type.Literal('open'),
  Type.Literal('half_open'),
]);
export type BreakerState = Static<typeof BreakerState>;

/** The invariants the reconciler checks (docs/scheduling.md#the-reconciler). */
export const ViolationKind = Type.Union([
  Type.Literal('unassigned_ready'),
  Type.Literal('orphaned_lease'),
  Type.Literal('stale_lease'),
  Type.Literal('goal_counts'),
  Type.Literal('pending_deps'),
]);
export type ViolationKind = Static<typeof ViolationKind>;

/** KLP message types (docs/protocol.md), as receipt frames carry them. */
export const MessageType = Type.Union([
  Type.Literal('TASK_REQUEST'),
  Type.Literal('TASK_RESULT'),
  Type.Literal('STATUS_UPDATE'),
  Type.Literal('CAPABILITY_QUERY'),
  Type.Literal('SECURITY_ALERT'),
  Type.Literal('ping'),
  Type.Literal('pong'),
  Type.Literal('pulse'),
  Type.Literal('heartbeat'),
  Type.Literal('snapshot'),
  Type.Literal('rollback'),
  Type.Literal('disconnect'),
  Type.Literal('handover'),
  Type.Literal('challenge'),
  Type.Literal('hello'),
  Type.Literal('welcome'),
  Type.Literal('ack'),
  Type.Literal('error'),
]);
export type MessageType = Static<typeof MessageType>;

export const StoreKind = Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]);
export type StoreKind = Static<typeof StoreKind>;
