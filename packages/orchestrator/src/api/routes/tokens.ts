import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { issueToken } from '../../app/index.ts';
import type { ApiDeps } from '../deps.ts';
import { TokenBody } from '../schemas.ts';

/** Issuing bearer tokens (docs/security.md); the secret is in the answer once, never again. */
export function tokenRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/orchestration/tokens', { schema: { body: TokenBody, tags: ['tokens'] } }, async (req, reply) => {
    const actor = await deps.auth.actor(req, 'token.create');
    const b = req.body;
    const { record, secret } = await issueToken(deps, actor, {
      role: b.role,
      agentName: b.agent_name,
      label: b.label,
    });
    reply.code(201);
    return { id: record.id, token: secret, role: record.role, agent_name: record.agentName };
  });
}
