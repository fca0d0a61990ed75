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
}
