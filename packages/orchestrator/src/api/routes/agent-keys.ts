import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { fingerprint } from '@kos/protocol/node';
import { resetAgentKey, rotateAgentKey } from '../../app/index.ts';
import type { Agent } from '../../registry/agent.ts';
import type { NewEvent } from '../../store/records.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, KeyRotationBody, QuarantineBody } from '../schemas.ts';

const tags = ['agents'];

const keyView = ({ agent, event }: { agent: Agent; event: NewEvent }) => ({
  agent_id: agent.id,
  name: agent.name,
  old_key: fingerprint(String(event.data.old_key)),
  new_key: agent.publicKey === null ? null : fingerprint(agent.publicKey),
});

/**
 * An agent's Ed25519 key (docs/api.md, "Key rotation"): the agent moves its name to a new key with
 * a statement both keys signed; an admin unbinds a lost key. Either ends the agent's KLP sessions.
 */
export function agentKeyRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/orchestration/agents/:id/key',
    { schema: { params: IdParams, body: KeyRotationBody, tags } },
    async (req) => {
      const actor = await deps.auth.actor(req, 'agent.register');
      return keyView(await rotateAgentKey(deps, actor, { agentId: req.params.id, rotation: req.body }));
    },
  );
  r.post(
    '/orchestration/agents/:id/key/reset',
    { schema: { params: IdParams, body: QuarantineBody, tags } },
    async (req) => {
      const actor = await deps.auth.actor(req, 'agent.rekey');
      return keyView(await resetAgentKey(deps, actor, { agentId: req.params.id, reason: req.body.reason }));
    },
  );
}
