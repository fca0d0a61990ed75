import { KosError } from '@kos/protocol';
import type { TokenRecord, TokenRole } from '../store/records.ts';

export const ROLES = ['admin', 'submitter', 'agent', 'viewer'] as const satisfies readonly TokenRole[];

/** What a caller may ask for; each route names the one action it needs. */
export const ACTIONS = [
  'read',
  'goal.submit',
  'goal.cancel',
  'scheduler.assign',
  'agent.register',
  'agent.heartbeat',
  'agent.unregister',
  'task.complete',
  'task.fail',
  /** Retry a dead task (a dead letter); its submitter may, like cancelling its goal. */
  'task.retry',
  /** Approve or deny a task awaiting approval: an operator's decision, admins only. */
  'task.approve',
  /** Cancel one task (its dependents are skipped); its submitter may, like cancelling its goal. */
  'task.cancel',
  /** Quarantine or release an agent: an operator's decision, admins only. */
  'agent.quarantine',
  /** Drain an agent: it takes no new task, those it holds finish. An operator's decision, admins only. */
  'agent.drain',
  /** Unbind an agent's name from a lost or leaked key: an operator's decision, admins only. */
  'agent.rekey',
  /** Add or remove a remote A2A agent (docs/interop.md): admins only, as it makes kOS fetch a URL. */
  'agent.manage',
  'token.create',
  /** List and revoke tokens: admins only. */
  'token.manage',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The permission table. Agent actions are further limited to the token's own agent: the route
 * checks `mayActAsAgent` once it knows the agent name.
 */
const PERMISSIONS: Readonly<Record<TokenRole, ReadonlySet<Action>>> = {
  admin: new Set(ACTIONS),
  submitter: new Set(['read', 'goal.submit', 'goal.cancel', 'scheduler.assign', 'task.retry', 'task.cancel']),
  agent: new Set([
    'read',
    'agent.register',
    'agent.heartbeat',
    'agent.unregister',
    'task.complete',
    'task.fail',
  ]),
  viewer: new Set(['read']),
};

export function authorize(role: TokenRole, action: Action): boolean {
  return PERMISSIONS[role].has(action);
}

/** The roles allowed to perform `action`, for messages and docs. */
export function rolesFor(action: Action): TokenRole[] {
  return ROLES.filter((role) => authorize(role, action));
}

/**
 * Why a stored token no longer works (revoked, or past its expiry at `now`), as the error a caller
 * gets; null while it works.
 */
export function tokenRefusal(token: TokenRecord, now: number): KosError | null {
  if (token.revokedAt !== null) {
    return new KosError(
      'KOS_ERR_UNAUTHENTICATED',
      `token ${token.id} was revoked; ask an admin for a new one`,
      {
        tokenId: token.id,
        reason: 'revoked',
      },
    );
  }
  if (token.expiresAt !== null && now >= token.expiresAt) {
    return new KosError(
      'KOS_ERR_UNAUTHENTICATED',
      `token ${token.id} expired at ${new Date(token.expiresAt).toISOString()}; ask an admin for a new one`,
      { tokenId: token.id, reason: 'expired' },
    );
  }
  return null;
}

/**
 * Throws KOS_ERR_UNAUTHENTICATED when there is no valid token (absent, unknown — the caller passes
 * null —, revoked or expired at `now`) and KOS_ERR_FORBIDDEN when its role lacks `action`.
 */
export function requirePermission(
  token: TokenRecord | null,
  action: Action,
  now: number,
): asserts token is TokenRecord {
  if (token === null) {
    throw new KosError(
      'KOS_ERR_UNAUTHENTICATED',
      `${action} needs a valid token: send Authorization: Bearer <token> (admin token: <data_dir>/admin.token)`,
      { action },
    );
  }
  const refusal = tokenRefusal(token, now);
  if (refusal !== null) throw new KosError(refusal.code, refusal.message, { action, ...refusal.details });
  if (!authorize(token.role, action)) {
    const allowed = rolesFor(action);
    throw new KosError(
      'KOS_ERR_FORBIDDEN',
      `role ${token.role} may not ${action}; it needs a token with role ${allowed.join(' or ')}`,
      { action, role: token.role, allowedRoles: allowed },
    );
  }
}

/**
 * Whether `token` may act as the agent named `agentName` at `now`: a working token, and an admin's,
 * or an agent token bound to that name or not bound yet (the first registration binds it).
 */
export function mayActAsAgent(token: TokenRecord, agentName: string, now: number): boolean {
  if (tokenRefusal(token, now) !== null) return false;
  if (token.role === 'admin') return true;
  return token.role === 'agent' && (token.agentName === null || token.agentName === agentName);
}
