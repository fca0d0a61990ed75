import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { KosError } from '@kos/protocol';
import { createToken } from '../../security/index.ts';
import { actorOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { TokenBody } from '../schemas.ts';
import { buildStatus } from './status.ts';

/** Health, readiness, metrics, the OpenAPI document and token issuing. */
export function opsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/healthz', { schema: { tags: ['ops'] } }, async () => ({ status: 'ok' }));

  r.get('/readyz', { schema: { tags: ['ops'] } }, async () => {
    if (!deps.accepting())
      throw new KosError('KOS_ERR_NOT_READY', 'the orchestrator is starting or stopping');
    if (!(await deps.store.backend.ping().catch(() => false))) {
      throw new KosError('KOS_ERR_STORE_UNAVAILABLE', 'the store does not answer');
    }
    return { status: 'ready' };
  });

  r.get('/metrics', { schema: { tags: ['ops'], hide: true } }, async (_req, reply) => {
    // The state gauges (tasks, agents, breakers) are set from committed counts at each scrape; a
    // store that does not answer leaves them as they were and still serves the counters.
    await buildStatus(deps).catch(() => undefined);
    reply.type(deps.metrics.contentType);
    return deps.metrics.render();
  });

  r.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  r.post('/orchestration/tokens', { schema: { body: TokenBody, tags: ['security'] } }, async (req, reply) => {
    const caller = await deps.auth.require(req, 'token.create');
    const b = req.body;
    const { record, secret } = await createToken(
      deps.store.backend,
      { role: b.role, agentName: b.agent_name, label: b.label },
      deps.store.now(),
    );
    await deps.store.audit(actorOf(caller), 'token.create', {
      token_id: record.id,
      role: record.role,
      agent_name: record.agentName,
    });
    reply.code(201);
    return { id: record.id, token: secret, role: record.role, agent_name: record.agentName };
  });
}
