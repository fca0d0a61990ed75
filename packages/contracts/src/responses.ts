import { Type, type Static } from 'typebox';
import { Count, Iso, JsonObject, Nullable, answer, closed } from './fields.ts';
import { Feasibility, WireAgent, WireEvent, WireGoal, WireLease, WireTask } from './records.ts';
import { AgentState, TokenRole } from './states.ts';

/**
 * The body of each route's answer (docs/api.md). Routes that answer alike share a schema; the
 * map from route to schema is `RESPONSES` (routes.ts).
 */

/** Every refusal, with the HTTP status of its code (docs/errors.md). */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ pattern: '^KOS_ERR_[A-Z0-9_]+$' }),
        message: Type.String(),
        details: Type.Optional(JsonObject),
      },
      closed,
    ),
  },
  closed,
);
export type ErrorResponse = Static<typeof ErrorResponse>;

// Seed 002's routes

export const RegisterAgentResponse = answer({
  agent_id: Type.String(),
  skills: Type.Array(Type.String()),
  agent: WireAgent,
});
export type RegisterAgentResponse = Static<typeof RegisterAgentResponse>;

/** A task in a decompose answer, with the fields seed 002's reference client reads. */
export const WireSubtask = Type.Object(
  {
    ...WireTask.properties,
    /** = id */
    uuid: Type.String(),
    /** = skills */
    required_skills: Type.Array(Type.String()),
    /** = depends_on */
    dependencies: Type.Array(Type.String()),
    /** In minutes: estimated_duration_ms / 60000. */
    estimated_duration: Type.Number({ minimum: 0 }),
    /** `<task name>: <goal>` */
    description: Type.String(),
  },
  closed,
);
export type WireSubtask = Static<typeof WireSubtask>;

/** `POST /orchestration/decompose`. */
export const SubmitGoalResponse = answer({
  goal_id: Type.String(),
  goal: WireGoal,
  subtasks: Type.Array(WireSubtask),
  count: Count,
  feasibility: Feasibility,
});
export type SubmitGoalResponse = Static<typeof SubmitGoalResponse>;

/** A lease granted by an assignment round, with the score that chose its agent. */
export const Assignment = Type.Object(
  {
    subtask_uuid: Type.String(),
    subtask_name: Type.String(),
    agent_id: Type.String(),
    /** When the lease was granted. */
    assigned_at: Iso,
    epoch: Count,
    lease_expires_at: Iso,
    score: Type.Number(),
    /** For a person: `load 0/4, trust 1.00, history 0.50`. */
    explanation: Type.String(),
  },
  closed,
);
export type Assignment = Static<typeof Assignment>;

export const AssignResponse = answer({ assignments: Type.Array(Assignment), count: Count });
export type AssignResponse = Static<typeof AssignResponse>;

export const CompleteTaskResponse = answer({ message: Type.String(), task: WireTask });
export type CompleteTaskResponse = Static<typeof CompleteTaskResponse>;

/** Renews every lease the agent holds. */
export const HeartbeatResponse = answer({
  message: Type.String(),
  agent_id: Type.String(),
  state: AgentState,
  leases: Type.Array(WireLease),
});
export type HeartbeatResponse = Static<typeof HeartbeatResponse>;

export const UnregisterAgentResponse = answer({
  message: Type.String(),
  agent_id: Type.String(),
  state: AgentState,
  /** Ids of the tasks whose leases it held. */
  revoked: Type.Array(Type.String()),
});
export type UnregisterAgentResponse = Static<typeof UnregisterAgentResponse>;

// Goals, tasks, agents, events

/** `next`: pass as `after` for the next page; null on the last. */
export const GoalListResponse = answer({ goals: Type.Array(WireGoal), next: Nullable(Type.String()) });
export type GoalListResponse = Static<typeof GoalListResponse>;

export const GoalResponse = answer({ goal: WireGoal, tasks: Type.Array(WireTask) });
export type GoalResponse = Static<typeof GoalResponse>;

export const CancelGoalResponse = answer({ goal: WireGoal });
export type CancelGoalResponse = Static<typeof CancelGoalResponse>;

/** `POST /orchestration/goals/cancel`: the goals a filter matched, cancelled a batch at a time. */
export const BulkCancelResponse = answer({
  /** Ids of the goals cancelled, newest first. */
  cancelled: Type.Array(Type.String()),
  /** Open goals this call took (≤ limit); one that finished meanwhile is not in `cancelled`. */
  matched: Count,
  /** More open goals match: call again. */
  remaining: Type.Boolean(),
});
export type BulkCancelResponse = Static<typeof BulkCancelResponse>;

export const TaskListResponse = answer({ tasks: Type.Array(WireTask), next: Nullable(Type.String()) });
export type TaskListResponse = Static<typeof TaskListResponse>;

/** A task with its event log. */
export const TaskResponse = answer({ task: WireTask, history: Type.Array(WireEvent) });
export type TaskResponse = Static<typeof TaskResponse>;

/** The task after fail, cancel, retry, approve or deny. */
export const TaskActionResponse = answer({ task: WireTask });
export type TaskActionResponse = Static<typeof TaskActionResponse>;

/** `GET /orchestration/tasks/:id/receipt`: whether the task's result is attributed to its agent's key. */
export const TaskReceiptResponse = answer({
  task_id: Type.String(),
  status: Type.Union([
    Type.Literal('verified'),
    Type.Literal('pending'),
    Type.Literal('not_verifiable'),
    Type.Literal('unproven'),
    Type.Literal('no_result'),
  ]),
  agent_id: Nullable(Type.String()),
  /** Fingerprint of the agent's Ed25519 public key (`ed25519:…`); null without a receipt. */
  key: Nullable(Type.String()),
  /** For people: what was checked, or why it does not verify. */
  detail: Type.String(),
});
export type TaskReceiptResponse = Static<typeof TaskReceiptResponse>;

export const AgentListResponse = answer({ agents: Type.Array(WireAgent) });
export type AgentListResponse = Static<typeof AgentListResponse>;

/** An agent with the leases it holds. */
export const AgentResponse = answer({ agent: WireAgent, leases: Type.Array(WireLease) });
export type AgentResponse = Static<typeof AgentResponse>;

export const QuarantineAgentResponse = answer({ agent: WireAgent, revoked: Type.Array(Type.String()) });
export type QuarantineAgentResponse = Static<typeof QuarantineAgentResponse>;

export const ReleaseAgentResponse = answer({ agent: WireAgent });
export type ReleaseAgentResponse = Static<typeof ReleaseAgentResponse>;

/** An operator's drain: the agent with the leases it still holds (they finish). */
export const DrainAgentResponse = answer({ agent: WireAgent });
export type DrainAgentResponse = Static<typeof DrainAgentResponse>;

/** A key rotation or reset: the fingerprints (`ed25519:…`) the name was and is bound to. */
export const AgentKeyResponse = answer({
  agent_id: Type.String(),
  name: Type.String(),
  old_key: Type.String(),
  /** Null after a reset: the next KLP connection with an agent token binds a key. */
  new_key: Nullable(Type.String()),
});
export type AgentKeyResponse = Static<typeof AgentKeyResponse>;

/** `next`: the last event's seq when the page is full (pass as `after`), else null. */
export const EventListResponse = answer({ events: Type.Array(WireEvent), next: Nullable(Count) });
export type EventListResponse = Static<typeof EventListResponse>;

/** The secret is shown once. */
export const CreateTokenResponse = answer({
  id: Type.String(),
  token: Type.String(),
  role: TokenRole,
  agent_name: Nullable(Type.String()),
  /** When it stops working; null: until revoked. */
  expires_at: Nullable(Iso),
});
export type CreateTokenResponse = Static<typeof CreateTokenResponse>;

/** A token as listed: never its secret (only its hash is stored, and not shown either). */
export const WireToken = Type.Object(
  {
    id: Type.String(),
    role: TokenRole,
    agent_name: Nullable(Type.String()),
    label: Type.String(),
    created_at: Iso,
    revoked_at: Nullable(Iso),
    expires_at: Nullable(Iso),
  },
  closed,
);
export type WireToken = Static<typeof WireToken>;

export const TokenListResponse = answer({ tokens: Type.Array(WireToken) });
export type TokenListResponse = Static<typeof TokenListResponse>;

export const RevokeTokenResponse = answer({ token: WireToken });
export type RevokeTokenResponse = Static<typeof RevokeTokenResponse>;

export const SignInResponse = answer({
  role: TokenRole,
  agent_name: Nullable(Type.String()),
  /** When the session cookie stops working (ISO-8601). */
  expires_at: Type.String(),
});
export type SignInResponse = Static<typeof SignInResponse>;

/** `GET /orchestration/session`: who the caller is (a dashboard asks on load). */
export const SessionResponse = answer({
  role: TokenRole,
  agent_name: Nullable(Type.String()),
  /** When the session cookie stops working; null for a bearer token (tokens do not expire). */
  expires_at: Nullable(Iso),
  via: Type.Union([Type.Literal('cookie'), Type.Literal('bearer')]),
});
export type SessionResponse = Static<typeof SessionResponse>;

export const SignOutResponse = answer({ signed_out: Type.Literal(true) });
export type SignOutResponse = Static<typeof SignOutResponse>;

// Operations (outside /orchestration/: no `success` flag)

export const HealthResponse = Type.Object({ status: Type.Literal('ok') }, closed);
export type HealthResponse = Static<typeof HealthResponse>;

export const ReadyResponse = Type.Object({ status: Type.Literal('ready') }, closed);
export type ReadyResponse = Static<typeof ReadyResponse>;

export const EventStreamResponse = Type.String({
  description:
    'text/event-stream: one message per committed event, `id:` its seq, `event:` its kind, `data:` the event as GET /orchestration/events lists it',
});
export type EventStreamResponse = Static<typeof EventStreamResponse>;

export const MetricsResponse = Type.String({ description: 'Prometheus text exposition format' });
export type MetricsResponse = Static<typeof MetricsResponse>;

/**
 * The OpenAPI 3 document. Open on purpose: @fastify/swagger writes it, not our views, and every
 * field it adds must pass through.
 */
export const OpenApiResponse = Type.Object(
  {
    openapi: Type.String(),
    info: Type.Object({ title: Type.String(), version: Type.String() }, { additionalProperties: true }),
    paths: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: true },
);
export type OpenApiResponse = Static<typeof OpenApiResponse>;

/** `GET /klp` upgrades to the KLP WebSocket (docs/protocol.md): 101, no HTTP body. */
export const KlpUpgrade = Type.Null({ description: 'WebSocket upgrade: no HTTP body' });
