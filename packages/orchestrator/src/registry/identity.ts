import { KosError } from '@kos/protocol';
import type { Agent } from './agent.ts';

/**
 * Who acts as an agent: the agent's id and, when the caller proved it holds an Ed25519 key (a KLP
 * session signed the challenge with it), that key. REST callers prove no key.
 */
export interface AgentCaller {
  agentId: string;
  provenKey?: string | undefined;
}

/**
 * A name bound to a key accepts nothing from a caller who has not proved that key, whatever door
 * the call came through and whatever its token (an agent's own or an admin's: a bearer token can
 * leak, the key never travels). Agents without a key (REST agents) act on their token alone.
 */
export function assertProven(agent: Agent, provenKey: string | undefined): void {
  if (agent.publicKey === null || agent.publicKey === provenKey) return;
  if (provenKey === undefined) {
    throw new KosError(
      'KOS_ERR_PROOF_REQUIRED',
      `agent ${agent.name} is bound to an Ed25519 key: only its KLP session may register, heartbeat, report or leave as it`,
      { agent_id: agent.id, context_id: agent.name },
    );
  }
  throw new KosError('KOS_ERR_IDENTITY_MISMATCH', `agent ${agent.name} is bound to another key`, {
    agent_id: agent.id,
    context_id: agent.name,
  });
}
