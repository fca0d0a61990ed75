import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { issueToken, listTokens, revokeToken } from '../../app/index.ts';
import type { TokenRecord } from '../../store/records.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, TokenBody } from '../schemas.ts';
import { iso } from '../views.ts';

const tags = ['tokens'];

const tokenView = (t: TokenRecord) => ({
  id: t.id,
  role: t.role,
  agent_name: t.agentName,
  label: t.label,
  created_at: iso(t.createdAt)!,
  revoked_at: iso(t.revokedAt),
  expires_at: iso(t.expiresAt),
});

/**
 * Bearer tokens (docs/api.md, "Authentication"): issued by an admin, the secret in the answer once
 * and never again; listed without secrets; revoked at once on every replica.
 */
export function tokenRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/orchestration/tokens', { schema: { body: TokenBody, tags } }, async (req, reply) => {
    const actor = await deps.auth.actor(req, 'token.create');
    const b = req.body;
    const { record, secret } = await issueToken(deps, actor, {
      role: b.role,
      agentName: b.agent_name,
      label: b.label,
      expiresInMs: b.expires_in_s === undefined ? undefined : b.expires_in_s * 1000,
    });
    reply.code(201);
    return {
      id: record.id,
      token: secret,
      role: record.role,
      agent_name: record.agentName,
      expires_at: iso(record.expiresAt),
    };
  });

  r.get('/orchestration/tokens', { schema: { tags } }, async (req) => {
    await deps.auth.require(req, 'token.manage');
    return { tokens: (await listTokens(deps)).map(tokenView) };
  });

  r.post('/orchestration/tokens/:id/revoke', { schema: { params: IdParams, tags } }, async (req) => {
    const actor = await deps.auth.actor(req, 'token.manage');
    return { token: tokenView(await revokeToken(deps, actor, { tokenId: req.params.id })) };
  });
}
