/**
 * @kos/contracts: the REST API's answers as TypeBox schemas and the TypeScript types derived from
 * them (docs/api.md). Browser-safe: it depends on `typebox` alone, no Node built-ins, so the
 * server (response schemas), the CLI and a dashboard share one definition.
 *
 * ```ts
 * import { ErrorResponse, GoalResponse, RESPONSES, type WireTask } from '@kos/contracts';
 * import { Value } from 'typebox/value';
 *
 * const body: unknown = await (await fetch(`${url}/orchestration/goals/${id}`, { headers })).json();
 * if (Value.Check(GoalResponse, body)) {
 *   const dead: WireTask[] = body.tasks.filter((t) => t.state === 'dead');
 * } else if (Value.Check(ErrorResponse, body)) console.error(body.error.code, body.error.message);
 *
 * // Server side, per route: `schema: { response: RESPONSES['GET /orchestration/goals/:id'] }`.
 * // Types only (the CLI): `import type { WireGoal, StatusResponse } from '@kos/contracts'`.
 * ```
 */
export {
  AgentState,
  BreakerState,
  EventKind,
  GoalState,
  MessageType,
  Priority,
  StoreKind,
  TaskState,
  TokenRole,
  ViolationKind,
  WaitingCode,
} from './states.ts';
export {
  Delegation,
  Feasibility,
  TaskError,
  WaitingReason,
  WireAgent,
  WireAgentHealth,
  WireBreaker,
  WireEvent,
  WireGoal,
  WireGoalPolicy,
  WireLease,
  WirePolicy,
  WireSkillStats,
  WireTask,
} from './records.ts';
export {
  AgentListResponse,
  AgentResponse,
  Assignment,
  AssignResponse,
  BulkCancelResponse,
  CancelGoalResponse,
  CompleteTaskResponse,
  CreateTokenResponse,
  RevokeTokenResponse,
  TokenListResponse,
  WireToken,
  DrainAgentResponse,
  AgentKeyResponse,
  ErrorResponse,
  EventListResponse,
  GoalListResponse,
  GoalResponse,
  HealthResponse,
  HeartbeatResponse,
  KlpUpgrade,
  EventStreamResponse,
  MetricsResponse,
  OpenApiResponse,
  QuarantineAgentResponse,
  ReadyResponse,
  RegisterAgentResponse,
  ReleaseAgentResponse,
  SessionResponse,
  SignInResponse,
  SignOutResponse,
  SubmitGoalResponse,
  TaskActionResponse,
  TaskListResponse,
  TaskReceiptResponse,
  TaskResponse,
  UnregisterAgentResponse,
  WireSubtask,
} from './responses.ts';
export { FleetAgent, FleetHealth, ReconcilerStatus, SeedStatus, StatusResponse } from './status.ts';
export { DenseTensorResponse, SparseTensorResponse, TensorExplanation, TensorResponse } from './tensor.ts';
export { KpiBucket, KpisResponse } from './kpis.ts';
export { GoalPreviewResponse, TemplateListResponse, WireTemplate } from './planning.ts';
export { KlpAuth, KlpEnvelope, Receipt, ReceiptsResponse } from './receipts.ts';
export {
  A2aAgentListResponse,
  AddA2aAgentResponse,
  RemoveA2aAgentResponse,
  WireA2aAgent,
  WireA2aRemote,
} from './a2a-agents.ts';
export { RESPONSES, responseSchema } from './routes.ts';
export type { Route, StatusKey } from './routes.ts';
