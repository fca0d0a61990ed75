import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, OperatorBody, QuarantineBody } from '../schemas.ts';
import { agentView } from '../views.ts';

/**
 * Operator actions on an agent's isolation (docs/agent-health.md): quarantine it by hand, or
 * release it. Admins only; each is audited: its event carries the caller's token and the reason.
 */
export function quarantineRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { store, auth } = deps;

  r.post(
    '/orchestration/agents/:id/quarantine',
    { schema: { params: IdParams, body: QuarantineBody, tags: ['agents'] } },
    async (req) => {
      const token = await auth.require(req, 'agent.quarantine');
      const { agent, revoked } = await store.quarantineAgent(actorOf(token), req.params.id, {
        reason: req.body.reason,
        trigger: 'operator',
      });
      return { agent: agentView(agent, 0, store.now(), deps.config), revoked: revoked.map((t) => t.id) };
    },
  );

  r.post(
    '/orchestration/agents/:id/release',
    { schema: { params: IdParams, body: OperatorBody, tags: ['agents'] } },
    async (req) => {
      const token = await auth.require(req, 'agent.quarantine');
      const reason = req.body?.reason ?? 'released by an operator';
      const { agent } = await store.releaseAgent(actorOf(token), req.params.id, reason);
      return { agent: agentView(agent, 0, store.now(), deps.config) };
    },
  );
}
