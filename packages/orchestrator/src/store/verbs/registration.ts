import { randomUUID } from 'node:crypto';
import { KosError } from '@kos/protocol';
import { moveAgent, newAgentHealth, type Agent } from '../../registry/agent.ts';
import { assertProven } from '../../registry/identity.ts';
import type { Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';

export async function getAgentOrThrow(tx: Tx, id: string): Promise<Agent> {
  const agent = await tx.getAgent(id);
  if (!agent) throw new KosError('KOS_ERR_AGENT_NOT_FOUND', `no agent has id ${id}`, { agent_id: id });
  return agent;
}

export function setAgentState(
  agent: Agent,
  to: Agent['state'],
  ctx: VerbContext,
  events: EventBatch,
  reason: string,
): Agent {
  if (agent.state === to) return agent;
  events.add({ kind: 'agent.state', agentId: agent.id, data: { from: agent.state, to, reason } });
  return moveAgent(agent, to, ctx.now);
}

export interface Registration {
  name: string;
  skills: string[];
  maxParallel?: number | undefined;
  /** An unbound agent token is bound to this name in the same transaction. */
  bindTokenHash?: string | undefined;
  /**
   * KLP: the Ed25519 key the caller proved it holds; a name bound to a key is registered again
   * only with it, and a name without one is bound to it now.
   */
  publicKey?: string | undefined;
}

/**
 * Registers an agent by its name (the seed's context_id). Registering again is idempotent: it
 * updates skills and capacity and revives a lost, draining or unregistered agent; its leases stay.
 * A name bound to a key is registered again only by a caller who proved that key.
 */
export async function registerAgent(
  tx: Tx,
  ctx: VerbContext,
  input: Registration,
): Promise<{ agent: Agent; created: boolean }> {
  const events = new EventBatch(ctx);
  const skills = [...new Set(input.skills)];
  const existing = await tx.getAgentByName(input.name);
  if (existing) assertProven(existing, input.publicKey);
  if (input.bindTokenHash !== undefined) await bindAgentToken(tx, input.bindTokenHash, input.name);
  if (existing?.state === 'quarantined') {
    throw new KosError(
      'KOS_ERR_AGENT_NOT_ACTIVE',
      `agent ${input.name} is quarantined; an operator must release it`,
      {
        agent_id: existing.id,
        state: existing.state,
      },
    );
  }
  const agent: Agent = existing
    ? {
        ...setAgentState(existing, 'active', ctx, events, 'registered again'),
        skills,
        maxParallel: input.maxParallel ?? existing.maxParallel,
        publicKey: existing.publicKey ?? input.publicKey ?? null,
        lastHeartbeatAt: ctx.now,
        updatedAt: ctx.now,
      }
    : {
        id: randomUUID(),
        name: input.name,
        skills,
        maxParallel: input.maxParallel ?? ctx.config.policies.maxParallelTasks,
        state: 'active',
        trust: 1,
        stats: {},
        lastHeartbeatAt: ctx.now,
        publicKey: input.publicKey ?? null,
        lastAssignedAt: 0,
        health: newAgentHealth(ctx.now),
        registeredAt: ctx.now,
        updatedAt: ctx.now,
      };
  await tx.putAgent(agent);
  events.add({
    kind: 'agent.registered',
    agentId: agent.id,
    data: {
      name: agent.name,
      skills,
      max_parallel: agent.maxParallel,
      again: !!existing,
      key: agent.publicKey,
    },
  });
  await events.flush(tx);
  return { agent, created: !existing };
}

/**
 * An agent token not yet bound to an agent is bound to the first name it registers, inside the
 * registration's transaction, so two registrations racing with one token cannot both win.
 */
async function bindAgentToken(tx: Tx, hash: string, name: string): Promise<void> {
  const token = await tx.getTokenByHash(hash);
  if (!token || token.role !== 'agent') return;
  if (token.agentName === null) {
    await tx.putToken({ ...token, agentName: name });
  } else if (token.agentName !== name) {
    throw new KosError(
      'KOS_ERR_AGENT_MISMATCH',
      `this agent token is bound to agent ${token.agentName}, not ${name}`,
      {
        bound_to: token.agentName,
        context_id: name,
      },
    );
  }
}
