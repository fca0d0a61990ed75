import { KosError } from '@kos/protocol';
import type { Agent } from '../../registry/agent.ts';
import type { Task } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import type { A2aRemoteRecord } from '../records.ts';
import { unregisterAgent } from './agents.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { registerAgent } from './registration.ts';

/** The audit actions of remote A2A agents, which every replica's bridge watches for (links/a2a). */
export const A2A_AGENT_ADDED = 'a2a.agent_add';
export const A2A_AGENT_REMOVED = 'a2a.agent_remove';

export interface A2aRemoteInput {
  name: string;
  skills: string[];
  maxParallel?: number | undefined;
  cardUrl: string;
  card: unknown;
  token: string | null;
}

/**
 * Registers (or registers again) a remote A2A agent: a kOS agent of that name with the card's
 * skills, and its card and token kept, in one transaction. The name must be free or already this
 * card URL's agent: a KLP or REST agent, or another remote, is never taken over.
 */
export async function putA2aRemote(
  tx: Tx,
  ctx: VerbContext,
  input: A2aRemoteInput,
): Promise<{ agent: Agent; remote: A2aRemoteRecord; created: boolean }> {
  const remotes = await tx.listA2aRemotes();
  const sameUrl = remotes.find((r) => r.cardUrl === input.cardUrl);
  const named = await tx.getAgentByName(input.name);
  if (sameUrl && named?.id !== sameUrl.agentId) {
    const current = await tx.getAgent(sameUrl.agentId);
    throw new KosError(
      'KOS_ERR_A2A_NAME_TAKEN',
      `${input.cardUrl} is registered as agent ${current?.name ?? sameUrl.agentId}; remove it first to rename it`,
      { card_url: input.cardUrl, agent_id: sameUrl.agentId },
    );
  }
  // A name whose agent left and is bound to no key is free, as for a registration (a removed
  // remote added again, a REST agent gone): the agent record, its stats and trust, are reused.
  const free = named?.state === 'unregistered' && named.publicKey === null;
  const other = named && remotes.find((r) => r.agentId === named.id);
  if (named && !sameUrl && (other || !free)) {
    throw new KosError(
      'KOS_ERR_A2A_NAME_TAKEN',
      other
        ? `agent ${input.name} is the remote A2A agent of ${other.cardUrl}`
        : `agent ${input.name} is a KLP or REST agent; choose another name (--name)`,
      { context_id: input.name, agent_id: named.id },
    );
  }
  // The same card, token and skills again (a replica starting with a2a.agents, a repeated add):
  // nothing to write, so the bridge does not restart the remote's streams.
  if (sameUrl && named && unchanged(sameUrl, named, input))
    return { agent: named, remote: sameUrl, created: false };
  const { agent } = await registerAgent(tx, ctx, {
    name: input.name,
    skills: input.skills,
    maxParallel: input.maxParallel,
  });
  const remote: A2aRemoteRecord = {
    agentId: agent.id,
    cardUrl: input.cardUrl,
    card: input.card,
    token: input.token,
    addedAt: sameUrl?.addedAt ?? ctx.now,
    updatedAt: ctx.now,
  };
  await tx.putA2aRemote(remote);
  const events = new EventBatch(ctx);
  events.add({
    kind: 'audit',
    agentId: agent.id,
    data: { action: A2A_AGENT_ADDED, name: agent.name, card_url: input.cardUrl, skills: agent.skills },
  });
  await events.flush(tx);
  // Created: a new remote (its agent may be a former one, reused by name).
  return { agent, remote, created: sameUrl === undefined };
}

function unchanged(remote: A2aRemoteRecord, agent: Agent, input: A2aRemoteInput): boolean {
  const skills = [...new Set(input.skills)];
  return (
    agent.state === 'active' &&
    remote.token === input.token &&
    JSON.stringify(remote.card) === JSON.stringify(input.card) &&
    agent.skills.length === skills.length &&
    agent.skills.every((s, i) => s === skills[i]) &&
    (input.maxParallel === undefined || input.maxParallel === agent.maxParallel)
  );
}

/** Unregisters a remote A2A agent (its leases are revoked) and forgets its card and token. */
export async function removeA2aRemote(
  tx: Tx,
  ctx: VerbContext,
  agentId: string,
): Promise<{ agent: Agent; revoked: Task[]; remote: A2aRemoteRecord }> {
  const remote = (await tx.listA2aRemotes()).find((r) => r.agentId === agentId);
  if (!remote) {
    throw new KosError('KOS_ERR_AGENT_NOT_FOUND', `no remote A2A agent has id ${agentId}; see kos a2a list`, {
      agent_id: agentId,
    });
  }
  const { agent, revoked } = await unregisterAgent(tx, ctx, { agentId });
  await tx.deleteA2aRemote(agentId);
  const events = new EventBatch(ctx);
  events.add({
    kind: 'audit',
    agentId,
    data: { action: A2A_AGENT_REMOVED, name: agent.name, card_url: remote.cardUrl },
  });
  await events.flush(tx);
  return { agent, revoked, remote };
}
