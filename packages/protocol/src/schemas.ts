import { Type, type TSchema } from 'typebox';
import type { MessageType } from './envelope.ts';
import { MESSAGE_TYPES } from './envelope.ts';
import { KAI_MAX_LENGTH, KAI_PATTERN } from './kai.ts';
import { PRIORITIES } from './priority.ts';

/**
 * JSON Schemas of the envelope and of each payload (plain JSON Schema, built with TypeBox), so the
 * orchestrator can publish them. Every object is closed (`additionalProperties: false`) except
 * `context`; the free-form JSON values are `input`, `checkpoint` and `result`. Bounds keep one frame
 * from making the orchestrator store or loop over more than it should.
 */

const closed = { additionalProperties: false } as const;
const MAX_INT = Number.MAX_SAFE_INTEGER;

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Skill = Type.String({ minLength: 1, maxLength: 100 });
const Skills = Type.Array(Skill, { maxItems: 64 });
const Text = Type.String({ maxLength: 10_000 });
const Reason = Type.String({ minLength: 1, maxLength: 1_000 });
const Code = Type.String({ minLength: 1, maxLength: 100 });
const Epoch = Type.Integer({ minimum: 0, maximum: MAX_INT });
const EpochMs = Type.Integer({ minimum: 0, maximum: MAX_INT });
const Count = Type.Integer({ minimum: 0, maximum: MAX_INT });
const Progress = Type.Number({ minimum: 0, maximum: 100 });
const Base64Url = (length: number) => Type.String({ pattern: `^[A-Za-z0-9_-]{${length}}$` });
const LeaseRef = Type.Object({ task_id: Id, epoch: Epoch }, closed);
const IdList = Type.Array(Id, { maxItems: 10_000 });
const Empty = Type.Object({}, closed);

export const KAI_ADDRESS_SCHEMA = Type.String({ maxLength: KAI_MAX_LENGTH, pattern: KAI_PATTERN });

export const PAYLOAD_SCHEMAS = {
  TASK_REQUEST: Type.Object(
    {
      task_id: Id,
      goal_id: Id,
      name: Name,
      skills: Skills,
      // Optional on the wire: JSON has no `undefined`, and a missing checkpoint means none.
      input: Type.Optional(Type.Unknown()),
      epoch: Epoch,
      attempt: Count,
      deadline: EpochMs,
      checkpoint: Type.Optional(Type.Unknown()),
      // Results of the task's direct dependencies, by task name: how data flows along the DAG.
      upstream: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.Unknown())),
    },
    closed,
  ),
  // An outcome (succeeded/failed), or a hand-off: the agent declines the task or delegates it.
  TASK_RESULT: Type.Union([
    Type.Object(
      {
        task_id: Id,
        epoch: Epoch,
        status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
        result: Type.Optional(Type.Unknown()),
        error: Type.Optional(Type.Object({ code: Code, message: Text, retryable: Type.Boolean() }, closed)),
      },
      closed,
    ),
    Type.Object({ task_id: Id, epoch: Epoch, status: Type.Literal('declined'), reason: Reason }, closed),
    Type.Object(
      {
        task_id: Id,
        epoch: Epoch,
        status: Type.Literal('delegated'),
        reason: Reason,
        to: Type.Optional(Name),
      },
      closed,
    ),
  ]),
  STATUS_UPDATE: Type.Object(
    {
      task_id: Id,
      epoch: Epoch,
      progress: Progress,
      message: Type.Optional(Text),
      checkpoint: Type.Optional(Type.Unknown()),
    },
    closed,
  ),
  CAPABILITY_QUERY: Type.Union([
    Type.Object({ skills: Type.Optional(Skills) }, closed),
    Type.Object(
      {
        agents: Type.Array(
          Type.Object({ name: Name, skills: Skills, state: Code, free_slots: Count }, closed),
          { maxItems: 10_000 },
        ),
      },
      closed,
    ),
  ]),
  SECURITY_ALERT: Type.Object({ code: Code, reason: Text, ref: Type.Optional(Id) }, closed),
  ping: Empty,
  pong: Empty,
  pulse: Type.Object({ task_id: Id, epoch: Epoch, progress: Progress, message: Type.Optional(Text) }, closed),
  heartbeat: Type.Object(
    {
      in_flight: Type.Array(
        Type.Object({ task_id: Id, epoch: Epoch, progress: Type.Optional(Progress) }, closed),
        {
          maxItems: 10_000,
        },
      ),
      last_progress_at: Type.Optional(EpochMs),
    },
    closed,
  ),
  snapshot: Type.Union([
    Empty,
    Type.Object(
      {
        agent_id: Id,
        state: Code,
        leases: Type.Array(Type.Object({ task_id: Id, epoch: Epoch, deadline: EpochMs }, closed), {
          maxItems: 10_000,
        }),
      },
      closed,
    ),
  ]),
  rollback: Type.Object({ task_id: Id, epoch: Epoch, reason: Text, ack_by: Type.Optional(EpochMs) }, closed),
  disconnect: Type.Object({ reason: Type.Optional(Text) }, closed),
  handover: Type.Object({ mode: Type.Union([Type.Literal('finish'), Type.Literal('return')]) }, closed),
  challenge: Type.Object({ nonce: Type.String({ minLength: 16, maxLength: 200 }) }, closed),
  hello: Type.Object(
    {
      name: Name,
      public_key: Base64Url(43),
      skills: Skills,
      max_parallel: Type.Integer({ minimum: 1, maximum: 10_000 }),
      nonce: Type.String({ minLength: 16, maxLength: 200 }),
      token: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
      in_flight: Type.Array(LeaseRef, { maxItems: 10_000 }),
    },
    closed,
  ),
  welcome: Type.Object(
    {
      agent_id: Id,
      heartbeat_interval_ms: Type.Integer({ minimum: 1, maximum: MAX_INT }),
      lease_ttl_ms: Type.Integer({ minimum: 1, maximum: MAX_INT }),
      resumed: IdList,
      abandon: IdList,
    },
    closed,
  ),
  ack: Type.Object({ ok: Type.Literal(true) }, closed),
  error: Type.Object({ code: Code, message: Text }, closed),
} as const satisfies Record<MessageType, TSchema>;

export const AUTH_SCHEMA = Type.Object(
  {
    kid: Type.String({ pattern: '^ed25519:[A-Za-z0-9_-]{22}$' }),
    chain: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
    sig: Type.Optional(Base64Url(86)),
  },
  closed,
);

/** The envelope; `payload` is checked against PAYLOAD_SCHEMAS[type] in a second step. */
export const ENVELOPE_SCHEMA = Type.Object(
  {
    v: Type.Literal(1),
    type: Type.Union(MESSAGE_TYPES.map((t) => Type.Literal(t))),
    id: Id,
    from: KAI_ADDRESS_SCHEMA,
    to: KAI_ADDRESS_SCHEMA,
    ts: EpochMs,
    seq: Type.Integer({ minimum: 1, maximum: MAX_INT }),
    task_id: Type.Optional(Id),
    intent: Type.Optional(Text),
    priority: Type.Optional(Type.Union(PRIORITIES.map((p) => Type.Literal(p)))),
    payload: Type.Object({}),
    context: Type.Optional(Type.Object({ reply_to: Type.Optional(Id) })),
    auth: Type.Optional(AUTH_SCHEMA),
  },
  closed,
);
