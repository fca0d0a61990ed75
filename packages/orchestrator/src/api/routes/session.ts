import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { KosError } from '@kos/protocol';
import { Type } from 'typebox';
import { hashToken, requirePermission, tokenRefusal } from '../../security/index.ts';
import { sealSession, sessionSetCookie } from '../../security/session-cookie.ts';
import type { ApiDeps } from '../deps.ts';
import { iso } from '../views.ts';

const SignInBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);

/**
 * Dashboard sign-in: the user pastes a token once, the server answers with a short-lived HttpOnly,
 * SameSite=Strict session cookie (security.session_ttl_ms), so the page (and its EventSource, which
 * sends no headers) needs the token neither in script-readable storage nor in any URL.
 */
export function sessionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['sessions'];

  r.post('/orchestration/session', { schema: { body: SignInBody, tags } }, async (req, reply) => {
    const token = await deps.auth.byHash(hashToken(req.body.token));
    const now = deps.store.now();
    if (!token) {
      throw new KosError('KOS_ERR_UNAUTHENTICATED', 'that token is not valid: paste a token an admin issued');
    }
    const refusal = tokenRefusal(token, now);
    if (refusal !== null) throw refusal;
    // A session never outlives its token.
    const expiresAt = Math.min(now + deps.config.security.sessionTtlMs, token.expiresAt ?? Infinity);
    const ttl = expiresAt - now;
    void reply.header(
      'set-cookie',
      sessionSetCookie(
        sealSession(deps.auth.sessionKey, token.id, token.hash, expiresAt),
        ttl,
        req.protocol === 'https',
      ),
    );
    return { role: token.role, agent_name: token.agentName, expires_at: iso(expiresAt)! };
  });

  // Who the caller is, by bearer token or cookie: the dashboard asks on load to know its role.
  r.get('/orchestration/session', { schema: { tags } }, async (req) => {
    const caller = await deps.auth.callerOf(req);
    requirePermission(caller?.token ?? null, 'read', deps.store.now());
    return {
      role: caller!.token.role,
      agent_name: caller!.token.agentName,
      expires_at: iso(caller!.expiresAt),
      via: caller!.via,
    };
  });

  r.delete('/orchestration/session', { schema: { tags } }, async (req, reply) => {
    void reply.header('set-cookie', sessionSetCookie('', 0, req.protocol === 'https'));
    return { signed_out: true };
  });
}
