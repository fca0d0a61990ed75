/** Records the store keeps besides goals, tasks and agents. */

/**
 * One entry of the append-only event log: every state transition, scheduling decision (with its
 * explanation) and, with security.audit_all_actions, every accepted mutating call.
 */
export interface EventRecord {
  /** Assigned by the store, strictly increasing. */
  seq: number;
  at: number;
  kind: EventKind;
  goalId: string | null;
  taskId: string | null;
  agentId: string | null;
  /** Who caused it: a token id, `agent:<id>`, or `system` (sweeps, timers). */
  actor: string;
  data: Record<string, unknown>;
}

export const EVENT_KINDS = [
  'goal.submitted',
  'goal.state',
  'plan.proposed',
  'plan.verdict',
  'plan.accepted',
  'task.state',
  'task.assigned',
  'task.lease_revoked',
  'task.result_refused',
  'agent.registered',
  'agent.state',
  'klp.session',
  'klp.receipts',
  'security.alert',
  'audit',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

export type NewEvent = Omit<EventRecord, 'seq'>;

export type TokenRole = 'admin' | 'submitter' | 'agent' | 'viewer';

export interface TokenRecord {
  id: string;
  /** SHA-256 of the secret, hex; the secret itself is shown once and never stored. */
  hash: string;
  role: TokenRole;
  /** For agent tokens: the agent name the token may act as; null until its first registration binds it. */
  agentName: string | null;
  label: string;
  createdAt: number;
  revokedAt: number | null;
  /** When the token stops working (epoch ms); null: it does not expire. */
  expiresAt: number | null;
}

/** A goal submitted through A2A: the A2A task id is the goal id; the client's contextId is kept. */
export interface A2aTaskRecord {
  goalId: string;
  contextId: string;
  createdAt: number;
}

/** Where to POST an A2A task's updates (`CreateTaskPushNotificationConfig`), already allowlisted. */
export interface A2aPushConfig {
  goalId: string;
  id: string;
  url: string;
  /** Sent back as `X-A2A-Notification-Token`, so the receiver can tell our posts from others'. */
  token: string | null;
  /** `Authorization: <scheme> <credentials>` on every post, when given. */
  authScheme: string | null;
  authCredentials: string | null;
  createdAt: number;
}

/**
 * A remote A2A agent kOS drives as a worker (links/a2a): the kOS agent it is registered as, the
 * Agent Card it was registered from, and the bearer token kOS sends it (a secret: the API never
 * shows it). The bridge reads these at start, so a restart resumes driving the remote.
 */
export interface A2aRemoteRecord {
  agentId: string;
  cardUrl: string;
  /** The card as fetched (its JSON). */
  card: unknown;
  token: string | null;
  addedAt: number;
  updatedAt: number;
}
