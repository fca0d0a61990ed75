import type { Priority } from './priority.ts';

/**
 * The KLP envelope and the payload of each message type, as docs/protocol.md specifies them
 * (snake_case on the wire). The JSON Schemas that check them are in schemas.ts; a test keeps the
 * two in step.
 */
export const PROTOCOL_VERSION = 1;

export const MESSAGE_TYPES = [
  'TASK_REQUEST',
  'TASK_RESULT',
  'STATUS_UPDATE',
  'CAPABILITY_QUERY',
  'SECURITY_ALERT',
  'ping',
  'pong',
  'pulse',
  'heartbeat',
  'snapshot',
  'rollback',
  'disconnect',
  'handover',
  'challenge',
  'hello',
  'welcome',
  'ack',
  'error',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** A lease as the agent names it: the task and the epoch it was granted at. */
export interface LeaseRef {
  task_id: string;
  epoch: number;
}

export interface CapabilityAgent {
  name: string;
  skills: string[];
  state: string;
  free_slots: number;
}

export interface Payloads {
  /** O → A. `deadline` is the lease expiry (epoch ms). `input`/`checkpoint` are JSON values. */
  TASK_REQUEST: {
    task_id: string;
    goal_id: string;
    name: string;
    skills: string[];
    input: unknown;
    epoch: number;
    attempt: number;
    deadline: number;
    checkpoint: unknown;
    /** Results of the task's direct dependencies, by task name. */
    upstream?: Record<string, unknown>;
  };
  /**
   * A → O: the attempt's outcome, or a hand-off (the agent declines the task, or delegates it,
   * optionally to the agent named `to`). A stale epoch is answered with `error` KOS_ERR_STALE_EPOCH,
   * a result for a task being cancelled with KOS_ERR_TASK_CANCELLED.
   */
  TASK_RESULT:
    | {
        task_id: string;
        epoch: number;
        status: 'succeeded' | 'failed';
        result?: unknown;
        error?: { code: string; message: string; retryable: boolean };
      }
    | { task_id: string; epoch: number; status: 'declined'; reason: string }
    | { task_id: string; epoch: number; status: 'delegated'; reason: string; to?: string };
  /** A → O. Marks the task running, stores the checkpoint, renews the lease. `progress` is 0–100. */
  STATUS_UPDATE: { task_id: string; epoch: number; progress: number; message?: string; checkpoint?: unknown };
  /** Both ways: a request `{skills?}`, or the answer `{agents}` with `context.reply_to`. */
  CAPABILITY_QUERY: { skills?: string[] } | { agents: CapabilityAgent[] };
  /** O → A. The frame `ref` was refused; `code` is a KOS_ERR_* code. */
  SECURITY_ALERT: { code: string; reason: string; ref?: string };
  /** Both ways; the answer is a `pong` with `context.reply_to`. Any frame proves the peer alive. */
  ping: Record<string, never>;
  pong: Record<string, never>;
  /**
   * A → O: a task's progress (0–100) as a sign of life. Throttled by the orchestrator, it marks the
   * task running and renews its lease, like STATUS_UPDATE, but carries no checkpoint.
   */
  pulse: { task_id: string; epoch: number; progress: number; message?: string };
  /** A → O, signed. Renews the agent and the leases it lists. */
  heartbeat: { in_flight: (LeaseRef & { progress?: number })[]; last_progress_at?: number };
  /** A request `{}` or the answer; the answer lists the leases the orchestrator knows of. */
  snapshot:
    Record<string, never> | { agent_id: string; state: string; leases: (LeaseRef & { deadline: number })[] };
  /**
   * O → A: stop this task. With `ack_by` (epoch ms) the task was cancelled and the agent keeps the
   * lease until then: it answers with its own rollback of the task once its handler has settled.
   * A → O: give the task back (the attempt counts, retried at once), or, for a task being
   * cancelled, acknowledge that it stopped (no penalty).
   */
  rollback: { task_id: string; epoch: number; reason: string; ack_by?: number };
  /** A → O, signed: leave cleanly; leases are revoked at once. */
  disconnect: { reason?: string };
  /** A → O: no new work; `return` also hands the leases back now. */
  handover: { mode: 'finish' | 'return' };
  /** O → A, first frame of a session: 32 random bytes, base64url. */
  challenge: { nonce: string };
  /** A → O, signed; the only frame accepted before `welcome`. */
  hello: {
    name: string;
    public_key: string;
    skills: string[];
    max_parallel: number;
    nonce: string;
    token?: string;
    in_flight: LeaseRef[];
  };
  welcome: {
    agent_id: string;
    heartbeat_interval_ms: number;
    lease_ttl_ms: number;
    resumed: string[];
    abandon: string[];
  };
  ack: { ok: true };
  error: { code: string; message: string };
}

export interface Auth {
  /** Fingerprint of the signer's public key (see `fingerprint`). */
  kid: string;
  /** Receipt chain value after this frame, hex SHA-256 (see chain.ts). */
  chain?: string;
  /** Ed25519 signature, base64url, over the canonical envelope without `auth.sig`. */
  sig?: string;
}

export type EnvelopeContext = { reply_to?: string } & Record<string, unknown>;

export interface Envelope<T extends MessageType = MessageType> {
  v: 1;
  type: T;
  id: string;
  from: string;
  to: string;
  ts: number;
  seq: number;
  task_id?: string;
  intent?: string;
  priority?: Priority;
  payload: Payloads[T];
  context?: EnvelopeContext;
  auth?: Auth;
}

/** The union of envelopes of each type: `switch (env.type)` narrows `env.payload`. */
export type AnyEnvelope = { [T in MessageType]: Envelope<T> }[MessageType];

export interface EnvelopeFields<T extends MessageType> {
  from: string;
  to: string;
  seq: number;
  payload: Payloads[T];
  task_id?: string;
  intent?: string;
  context?: EnvelopeContext;
  priority?: Priority;
  /** Epoch ms for `ts`; defaults to Date.now(). */
  now?: number;
  /** Defaults to a random UUID. */
  id?: string;
}

/** Builds an envelope: fills `v`, a random `id` and `ts`. Sign it with signEnvelope if needed. */
export function envelope<T extends MessageType>(type: T, fields: EnvelopeFields<T>): Envelope<T> {
  const env: Envelope<T> = {
    v: PROTOCOL_VERSION,
    type,
    id: fields.id ?? globalThis.crypto.randomUUID(),
    from: fields.from,
    to: fields.to,
    ts: fields.now ?? Date.now(),
    seq: fields.seq,
    payload: fields.payload,
  };
  if (fields.task_id !== undefined) env.task_id = fields.task_id;
  if (fields.intent !== undefined) env.intent = fields.intent;
  if (fields.priority !== undefined) env.priority = fields.priority;
  if (fields.context !== undefined) env.context = fields.context;
  return env;
}
