import { KosError } from '@kos/protocol';
import { createToken } from '../security/index.ts';
import type { TokenRecord, TokenRole } from '../store/records.ts';
import { actorId, type Actor, type Core } from './core.ts';

/** Issues a bearer token; its secret is returned once and never stored (only its hash is). */
export async function issueToken(
  core: Core,
  actor: Actor,
  req: {
    role: TokenRole;
    agentName?: string | undefined;
    label?: string | undefined;
    /** How long it works; absent: until revoked. */
    expiresInMs?: number | undefined;
  },
): Promise<{ record: TokenRecord; secret: string }> {
  const now = core.store.now();
  const issued = await createToken(
    core.store.backend,
    {
      role: req.role,
      agentName: req.agentName,
      label: req.label,
      expiresAt: req.expiresInMs === undefined ? undefined : now + req.expiresInMs,
    },
    now,
  );
  await core.store.audit(actorId(actor), 'token.create', {
    token_id: issued.record.id,
    role: issued.record.role,
    agent_name: issued.record.agentName,
    expires_at: issued.record.expiresAt === null ? null : new Date(issued.record.expiresAt).toISOString(),
  });
  return issued;
}

/** Every token (never a secret: the store has only hashes), newest first. */
export async function listTokens(core: Core): Promise<TokenRecord[]> {
  const tokens = await core.store.read((tx) => tx.listTokens());
  return tokens.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
}

/**
 * Revokes a token at once: bearer calls, dashboard sessions and event streams of it end on every
 * replica (each forgets it when the revocation reaches its event feed). An agent already bound to
 * its key keeps its KLP identity: the key, not the token, is its credential after the first
 * connection. The caller's own token cannot be revoked by itself (an admin would lock itself out).
 */
export async function revokeToken(core: Core, actor: Actor, req: { tokenId: string }): Promise<TokenRecord> {
  if (actor.kind === 'token' && actor.token.id === req.tokenId) {
    throw new KosError(
      'KOS_ERR_VALIDATION',
      'a token cannot revoke itself: sign in with another admin token to revoke this one',
      { token_id: req.tokenId },
    );
  }
  return core.store.revokeToken(actorId(actor), req.tokenId);
}
