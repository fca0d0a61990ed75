import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { addA2aAgent, listA2aAgents, removeA2aAgent } from '../../app/index.ts';
import { checkCard } from '../../links/a2a/card.ts';
import type { A2aRemoteRecord } from '../../store/records.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams } from '../schemas.ts';
import { agentView } from '../views.ts';

const tags = ['agents'];

const AddBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\s].*$' })),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    max_parallel: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
);

/** What the API shows of a remote: never its token. */
function remoteView(r: A2aRemoteRecord) {
  const { card, endpoint } = checkCard(r.card, r.cardUrl);
  return {
    card_url: r.cardUrl,
    card_name: card.name,
    endpoint,
    has_token: r.token !== null,
    added_at: new Date(r.addedAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
  };
}

/** Remote A2A agents as kOS workers (docs/interop.md, "A2A out"): add from a card, list, remove. */
export function a2aAgentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { auth, config } = deps;
  const view = (a: Parameters<typeof agentView>[0], leases: number) =>
    agentView(a, leases, deps.store.now(), config);

  r.post('/orchestration/a2a/agents', { schema: { body: AddBody, tags } }, async (req, reply) => {
    const actor = await auth.actor(req, 'agent.manage');
    const b = req.body;
    const { agent, remote, created } = await addA2aAgent(deps, actor, {
      url: b.url,
      name: b.name,
      token: b.token,
      maxParallel: b.max_parallel,
    });
    reply.code(201);
    return { agent: view(agent, 0), remote: remoteView(remote), created };
  });

  r.get('/orchestration/a2a/agents', { schema: { tags } }, async (req) => {
    await auth.require(req, 'read');
    const leases = await deps.store.read((tx) => tx.countLeasesByAgent());
    const agents = await listA2aAgents(deps);
    return {
      agents: agents.map((a) => ({
        agent: view(a.agent, leases.get(a.agent.id) ?? 0),
        remote: remoteView(a.remote),
      })),
    };
  });

  r.delete('/orchestration/a2a/agents/:id', { schema: { params: IdParams, tags } }, async (req) => {
    const actor = await auth.actor(req, 'agent.manage');
    const { agent, revoked, remote } = await removeA2aAgent(deps, actor, req.params.id);
    return { agent: view(agent, 0), card_url: remote.cardUrl, revoked: revoked.map((t) => t.id) };
  });
}
