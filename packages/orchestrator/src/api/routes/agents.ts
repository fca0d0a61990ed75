import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  getAgent,
  heartbeat,
  listAgents,
  quarantineAgent,
  registerAgent,
  releaseAgent,
  drainAgentByOperator,
  unregisterAgent,
} from '../../app/index.ts';
import type { ApiDeps } from '../deps.ts';
import {
  AgentIdBody,
  AgentsQuery,
  IdParams,
  OperatorBody,
  QuarantineBody,
  RegisterBody,
  noBodyIsEmpty,
} from '../schemas.ts';
import { agentView, leaseView } from '../views.ts';

const tags = ['agents'];

/**
 * Agents: register, heartbeat, unregister (seed 002, for agents without KLP), reads, and the
 * operator's isolation (docs/agent-health.md): quarantine by hand, release, drain.
 */
export function agentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { auth, config } = deps;
  const view = (a: Parameters<typeof agentView>[0], leases: number) =>
    agentView(a, leases, deps.store.now(), config);

  r.post('/orchestration/register', { schema: { body: RegisterBody, tags } }, async (req) => {
    const actor = await auth.actor(req, 'agent.register');
    const b = req.body;
    const { agent, activeLeases } = await registerAgent(deps, actor, {
      name: b.context_id,
      skills: b.skills,
      maxParallel: b.max_parallel,
    });
    // A first registration binds an agent token to its name: read it again on its next call.
    if (actor.kind === 'token' && actor.token.role === 'agent') auth.forget(actor.token.hash);
    return { agent_id: agent.id, skills: agent.skills, agent: view(agent, activeLeases) };
  });

  r.post('/orchestration/heartbeat', { schema: { body: AgentIdBody, tags } }, async (req) => {
    const actor = await auth.actor(req, 'agent.heartbeat');
    const { agent, leases } = await heartbeat(deps, actor, { agentId: req.body.agent_id });
    return {
      message: `heartbeat of agent ${agent.name} recorded`,
      agent_id: agent.id,
      state: agent.state,
      leases: leases.map((l) => leaseView(l, agent.skills)),
    };
  });

  r.post('/orchestration/unregister', { schema: { body: AgentIdBody, tags } }, async (req) => {
    const actor = await auth.actor(req, 'agent.unregister');
    const { agent, revoked } = await unregisterAgent(deps, actor, { agentId: req.body.agent_id });
    return {
      message: `agent ${agent.name} unregistered`,
      agent_id: agent.id,
      state: agent.state,
      revoked: revoked.map((t) => t.id),
    };
  });

  r.get('/orchestration/agents', { schema: { querystring: AgentsQuery, tags } }, async (req) => {
    await auth.require(req, 'read');
    const agents = await listAgents(deps, { state: req.query.state });
    return { agents: agents.map((a) => view(a.agent, a.activeLeases)) };
  });

  r.get('/orchestration/agents/:id', { schema: { params: IdParams, tags } }, async (req) => {
    await auth.require(req, 'read');
    const { agent, leases } = await getAgent(deps, req.params.id);
    return { agent: view(agent, leases.length), leases: leases.map((l) => leaseView(l, agent.skills)) };
  });

  r.post(
    '/orchestration/agents/:id/quarantine',
    { schema: { params: IdParams, body: QuarantineBody, tags } },
    async (req) => {
      const actor = await auth.actor(req, 'agent.quarantine');
      const { agent, revoked } = await quarantineAgent(deps, actor, {
        agentId: req.params.id,
        reason: req.body.reason,
      });
      return { agent: view(agent, 0), revoked: revoked.map((t) => t.id) };
    },
  );

  r.post(
    '/orchestration/agents/:id/release',
    { schema: { params: IdParams, body: OperatorBody, tags }, preValidation: noBodyIsEmpty },
    async (req) => {
      const actor = await auth.actor(req, 'agent.quarantine');
      const { agent } = await releaseAgent(deps, actor, { agentId: req.params.id, reason: req.body?.reason });
      return { agent: view(agent, 0) };
    },
  );

  r.post(
    '/orchestration/agents/:id/drain',
    { schema: { params: IdParams, body: OperatorBody, tags }, preValidation: noBodyIsEmpty },
    async (req) => {
      const actor = await auth.actor(req, 'agent.drain');
      await drainAgentByOperator(deps, actor, { agentId: req.params.id, reason: req.body?.reason });
      // With the leases it still holds: they finish.
      const { agent, leases } = await getAgent(deps, req.params.id);
      return { agent: view(agent, leases.length) };
    },
  );
}
