import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { KosError } from '@kos/protocol';
import { fleetStatus } from '../../app/index.ts';
import type { ApiDeps } from '../deps.ts';

/** Health, readiness, metrics and the OpenAPI document. */
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
    await fleetStatus(deps).catch(() => undefined);
    reply.type(deps.metrics.contentType);
    return deps.metrics.render();
  });

  r.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
