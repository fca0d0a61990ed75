import { KosError } from '@kos/protocol';
import type { FastifyRequest } from 'fastify';
import { hashToken, mayActAsAgent, parseBearer, requirePermission, type Action } from '../security/index.ts';
import type { Agent } from '../registry/agent.ts';
import type { TokenRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';

/**
 * Resolves bearer tokens to their records. Tokens are few and change rarely, so known hashes are
 * cached; an unknown hash is looked up in the store each time (a new token works at once).
 */
export class Authenticator {
  private readonly known = new Map<string, TokenRecord>();

  constructor(private readonly store: Store) {}

  async tokenOf(req: FastifyRequest): Promise<TokenRecord | null> {
    const secret = parseBearer(req.headers.authorization);
    if (secret === null) return null;
    const hash = hashToken(secret);
    const cached = this.known.get(hash);
    if (cached && (cached.role !== 'agent' || cached.agentName !== null)) return cached;
    const record = await this.store.read((tx) => tx.getTokenByHash(hash));
    if (record) this.known.set(hash, record);
    return record;
  }

  /** The caller's token, checked for `action`; throws 401/403 with a typed code otherwise. */
  async require(req: FastifyRequest, action: Action): Promise<TokenRecord> {
    const token = await this.tokenOf(req);
    requirePermission(token, action);
    return token;
  }

  forget(hash: string): void {
    this.known.delete(hash);
  }
}

/** The actor recorded in the event log for a token. */
export const actorOf = (token: TokenRecord): string => `token:${token.id}`;

/**
 * Which agent a lease-holder call acts as. Agent tokens act as their own agent (a different
 * `agent_id` is refused); admin tokens name the agent, or act as the task's current holder.
 */
export async function actingAgent(
  store: Store,
  token: TokenRecord,
  agentId: string | undefined,
): Promise<Agent | null> {
  if (token.role === 'agent') {
    if (token.agentName === null) {
      throw new KosError(
        'KOS_ERR_AGENT_MISMATCH',
        'this agent token is not bound to an agent yet: register first',
        {},
      );
    }
    const name = token.agentName;
    const agent = await store.read((tx) => tx.getAgentByName(name));
    if (!agent)
      throw new KosError('KOS_ERR_AGENT_NOT_FOUND', `agent ${name} is not registered`, { context_id: name });
    if (agentId !== undefined && agentId !== agent.id) {
      throw new KosError(
        'KOS_ERR_AGENT_MISMATCH',
        `this token acts as agent ${name} (${agent.id}), not ${agentId}`,
        {
          agent_id: agentId,
        },
      );
    }
    return agent;
  }
  if (agentId === undefined) return null;
  const agent = await store.read((tx) => tx.getAgent(agentId));
  if (!agent)
    throw new KosError('KOS_ERR_AGENT_NOT_FOUND', `no agent has id ${agentId}`, { agent_id: agentId });
  if (!mayActAsAgent(token, agent.name)) {
    throw new KosError('KOS_ERR_AGENT_MISMATCH', `this token may not act as agent ${agent.name}`, {
      agent_id: agentId,
    });
  }
  return agent;
}
