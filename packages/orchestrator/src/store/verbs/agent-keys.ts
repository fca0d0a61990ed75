import { KosError } from '@kos/protocol';
import type { Agent } from '../../registry/agent.ts';
import type { Tx } from '../backend.ts';
import type { NewEvent } from '../records.ts';
import type { VerbContext } from './context.ts';
import { getAgentOrThrow } from './registration.ts';

/** The audit actions of key changes; the KLP gateway watches them to end the agent's sessions. */
export const AGENT_KEY_ROTATED = 'agent.key_rotate';
export const AGENT_KEY_RESET = 'agent.key_reset';

export type KeyChange =
  /** The agent's own, proven request: from the key it is bound to now to another. */
  | { action: typeof AGENT_KEY_ROTATED; from: string; to: string }
  /** An operator's, for a lost key: the name is unbound, its next first connection binds a key. */
  | { action: typeof AGENT_KEY_RESET; reason: string };

/**
 * Moves an agent's name to another key, or unbinds it. The agent keeps its id, so its tasks,
 * stats, trust and events stay its own; receipts it signed before stay verifiable (each KLP
 * session recorded the key it proved). Always audited, whatever security.audit_all_actions says.
 */
export async function rebindAgentKey(
  tx: Tx,
  ctx: VerbContext,
  agentId: string,
  change: KeyChange,
): Promise<{ agent: Agent; event: NewEvent }> {
  const found = await getAgentOrThrow(tx, agentId);
  if (found.publicKey === null) {
    throw new KosError(
      'KOS_ERR_VALIDATION',
      `agent ${found.name} is bound to no key yet: its next KLP connection with an agent token binds one`,
      { agent_id: agentId },
    );
  }
  if (change.action === AGENT_KEY_ROTATED && found.publicKey !== change.from) {
    throw new KosError(
      'KOS_ERR_IDENTITY_MISMATCH',
      `agent ${found.name} is not bound to the old key of this rotation (was its key changed since it was signed?)`,
      { agent_id: agentId },
    );
  }
  const agent: Agent = { ...found, publicKey: change.action === AGENT_KEY_ROTATED ? change.to : null };
  await tx.putAgent(agent);
  const event: NewEvent = {
    at: ctx.now,
    kind: 'audit',
    actor: ctx.actor,
    goalId: null,
    taskId: null,
    agentId,
    data: {
      action: change.action,
      agent_name: found.name,
      old_key: found.publicKey,
      new_key: agent.publicKey,
      ...(change.action === AGENT_KEY_RESET ? { reason: change.reason } : {}),
    },
  };
  await tx.appendEvents([event]);
  ctx.effects.events([event]);
  return { agent, event };
}
