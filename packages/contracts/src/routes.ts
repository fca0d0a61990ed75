import type { TSchema } from 'typebox';
import {
  AgentListResponse,
  AgentResponse,
  AssignResponse,
  BulkCancelResponse,
  CancelGoalResponse,
  CompleteTaskResponse,
  CreateTokenResponse,
  DrainAgentResponse,
  AgentKeyResponse,
  ErrorResponse,
  EventListResponse,
  EventStreamResponse,
  GoalListResponse,
  GoalResponse,
  HealthResponse,
  HeartbeatResponse,
  KlpUpgrade,
  MetricsResponse,
  OpenApiResponse,
  QuarantineAgentResponse,
  ReadyResponse,
  RegisterAgentResponse,
  ReleaseAgentResponse,
  RevokeTokenResponse,
  SessionResponse,
  SignInResponse,
  SignOutResponse,
  SubmitGoalResponse,
  TaskActionResponse,
  TaskListResponse,
  TaskReceiptResponse,
  TaskResponse,
  TokenListResponse,
  UnregisterAgentResponse,
} from './responses.ts';
import { A2aAgentListResponse, AddA2aAgentResponse, RemoveA2aAgentResponse } from './a2a-agents.ts';
import { KpisResponse } from './kpis.ts';
import { GoalPreviewResponse, TemplateListResponse } from './planning.ts';
import { ReceiptsResponse } from './receipts.ts';
import { StatusResponse } from './status.ts';
import { TensorResponse } from './tensor.ts';

/**
 * Per route (`METHOD /path`, paths as Fastify registers them), the schema of its answer by HTTP
 * status: exact codes, or `4xx`/`5xx` as Fastify's response schemas read them. Every refusal is an
 * ErrorResponse, with the status of its code (docs/errors.md).
 */
export type StatusKey = number | `${1 | 2 | 3 | 4 | 5}xx`;

const refusals = { '4xx': ErrorResponse, '5xx': ErrorResponse } as const;

export const RESPONSES = {
  // Seed 002's routes
  'POST /orchestration/register': { 200: RegisterAgentResponse, ...refusals },
  'POST /orchestration/decompose': { 201: SubmitGoalResponse, ...refusals },
  'POST /orchestration/assign': { 200: AssignResponse, ...refusals },
  'GET /orchestration/status': { 200: StatusResponse, ...refusals },
  'GET /orchestration/tensor': { 200: TensorResponse, ...refusals },
  'POST /orchestration/complete': { 200: CompleteTaskResponse, ...refusals },
  'POST /orchestration/heartbeat': { 200: HeartbeatResponse, ...refusals },
  'POST /orchestration/unregister': { 200: UnregisterAgentResponse, ...refusals },
  // Tasks
  'POST /orchestration/fail': { 200: TaskActionResponse, ...refusals },
  'GET /orchestration/tasks': { 200: TaskListResponse, ...refusals },
  'GET /orchestration/tasks/:id': { 200: TaskResponse, ...refusals },
  'POST /orchestration/tasks/:id/cancel': { 200: TaskActionResponse, ...refusals },
  'POST /orchestration/tasks/:id/retry': { 200: TaskActionResponse, ...refusals },
  'POST /orchestration/tasks/:id/approve': { 200: TaskActionResponse, ...refusals },
  'POST /orchestration/tasks/:id/deny': { 200: TaskActionResponse, ...refusals },
  'GET /orchestration/tasks/:id/receipt': { 200: TaskReceiptResponse, ...refusals },
  // Goals
  'GET /orchestration/goals': { 200: GoalListResponse, ...refusals },
  'GET /orchestration/goals/:id': { 200: GoalResponse, ...refusals },
  'POST /orchestration/goals/:id/cancel': { 200: CancelGoalResponse, ...refusals },
  'POST /orchestration/goals/cancel': { 200: BulkCancelResponse, ...refusals },
  'POST /orchestration/goals/preview': { 200: GoalPreviewResponse, ...refusals },
  'GET /orchestration/templates': { 200: TemplateListResponse, ...refusals },
  // Observation
  'GET /orchestration/kpis': { 200: KpisResponse, ...refusals },
  // Agents
  'GET /orchestration/agents': { 200: AgentListResponse, ...refusals },
  'GET /orchestration/agents/:id': { 200: AgentResponse, ...refusals },
  'POST /orchestration/agents/:id/quarantine': { 200: QuarantineAgentResponse, ...refusals },
  'POST /orchestration/agents/:id/release': { 200: ReleaseAgentResponse, ...refusals },
  'POST /orchestration/agents/:id/drain': { 200: DrainAgentResponse, ...refusals },
  'POST /orchestration/agents/:id/key': { 200: AgentKeyResponse, ...refusals },
  'POST /orchestration/agents/:id/key/reset': { 200: AgentKeyResponse, ...refusals },
  // Remote A2A agents (docs/interop.md, "A2A out")
  'POST /orchestration/a2a/agents': { 201: AddA2aAgentResponse, ...refusals },
  'GET /orchestration/a2a/agents': { 200: A2aAgentListResponse, ...refusals },
  'DELETE /orchestration/a2a/agents/:id': { 200: RemoveA2aAgentResponse, ...refusals },
  // Events, tokens, audit
  'GET /orchestration/events': { 200: EventListResponse, ...refusals },
  'GET /orchestration/events/stream': { 200: EventStreamResponse, ...refusals },
  'POST /orchestration/tokens': { 201: CreateTokenResponse, ...refusals },
  'GET /orchestration/tokens': { 200: TokenListResponse, ...refusals },
  'POST /orchestration/tokens/:id/revoke': { 200: RevokeTokenResponse, ...refusals },
  'POST /orchestration/session': { 200: SignInResponse, ...refusals },
  'GET /orchestration/session': { 200: SessionResponse, ...refusals },
  'DELETE /orchestration/session': { 200: SignOutResponse, ...refusals },
  'GET /orchestration/audit/receipts': { 200: ReceiptsResponse, ...refusals },
  // Operations and the KLP gateway
  'GET /healthz': { 200: HealthResponse, ...refusals },
  'GET /readyz': { 200: ReadyResponse, ...refusals },
  'GET /metrics': { 200: MetricsResponse, ...refusals },
  'GET /openapi.json': { 200: OpenApiResponse, ...refusals },
  'GET /klp': { 101: KlpUpgrade },
} as const satisfies Record<string, Partial<Record<StatusKey, TSchema>>>;

export type Route = keyof typeof RESPONSES;

/**
 * The schema of `route`'s answer with `status`, looked up as Fastify does (exact code, then
 * `4xx`-style class); undefined when the route declares no answer with that status.
 */
export function responseSchema(route: Route, status: number): TSchema | undefined {
  const answers: Partial<Record<string, TSchema>> = RESPONSES[route];
  return answers[String(status)] ?? answers[`${Math.floor(status / 100)}xx`];
}
