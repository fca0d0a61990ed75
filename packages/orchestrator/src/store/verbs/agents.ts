import { randomUUID } from 'node:crypto';
import { KosError } from '@kos/protocol';
import { moveAgent, type Agent } from '../../registry/agent.ts';
import type { Task } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { revokeLease, type Revocations } from './leases.ts';

const LEASED = ['leased', 'running'] as const;

export async function getAgentOrThrow(tx: Tx, id: string): Promise<Agent> {
  const agent = await tx.getAgent(id);
  if (!agent) throw new KosError('KOS_ERR_AGENT_NOT_FOUND', `no agent has id ${id}`, { agent_id: id });
  return agent;
}

function setState(
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

/**
 * Registers an agent by its name (the seed's context_id). Registering again is idempotent: it
 * updates skills and capacity and revives a lost, draining or unregistered agent; its leases stay.
 */
export async function registerAgent(
  tx: Tx,
  ctx: VerbContext,
  input: {
    name: string;
    skills: string[];
    maxParallel?: number | undefined;
    bindTokenHash?: string | undefined;
  },
): Promise<{ agent: Agent; created: boolean }> {
  const events = new EventBatch(ctx);
  if (input.bindTokenHash !== undefined) await bindAgentToken(tx, input.bindTokenHash, input.name);
  const skills = [...new Set(input.skills)];
  const existing = await tx.getAgentByName(input.name);
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
        ...setState(existing, 'active', ctx, events, 'registered again'),
        skills,
        maxParallel: input.maxParallel ?? existing.maxParallel,
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
        lastAssignedAt: 0,
        registeredAt: ctx.now,
        updatedAt: ctx.now,
      };
  await tx.putAgent(agent);
  events.add({
    kind: 'agent.registered',
    agentId: agent.id,
    data: { name: agent.name, skills, max_parallel: agent.maxParallel, again: !!existing },
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

/**
 * Proof of life: renews the agent's presence and every lease it holds. A lost agent that speaks
 * again is active again (its old leases were already revoked); an unregistered or quarantined
 * one must register again.
 */
export async function heartbeat(
  tx: Tx,
  ctx: VerbContext,
  agentId: string,
): Promise<{ agent: Agent; leases: Task[]; revived: boolean }> {
  const events = new EventBatch(ctx);
  const found = await getAgentOrThrow(tx, agentId);
  if (found.state === 'unregistered' || found.state === 'quarantined') {
    throw new KosError(
      'KOS_ERR_AGENT_NOT_ACTIVE',
      `agent ${found.name} is ${found.state}; register it again`,
      {
        agent_id: agentId,
        state: found.state,
      },
    );
  }
  const revived = found.state === 'lost';
  const agent = { ...setState(found, 'active', ctx, events, 'heartbeat'), lastHeartbeatAt: ctx.now };
  await tx.putAgent(agent);
  const leases: Task[] = [];
  for (const task of await tx.listTasks({ agentId, states: LEASED }, { limit: Number.MAX_SAFE_INTEGER })) {
    const renewed = { ...task, leaseExpiresAt: ctx.now + ctx.config.leases.ttlMs };
    await tx.putTask(renewed);
    leases.push(renewed);
  }
  await events.flush(tx);
  return { agent, leases, revived };
}

async function release(
  tx: Tx,
  agent: Agent,
  reason: 'agent_lost' | 'agent_unregistered',
  ctx: VerbContext,
  events: EventBatch,
) {
  const revoked: Task[] = [];
  for (const task of await tx.listTasks(
    { agentId: agent.id, states: LEASED },
    { limit: Number.MAX_SAFE_INTEGER },
  )) {
    revoked.push(...(await revokeLease(tx, task, reason, ctx, events)));
  }
  return revoked;
}

/** The agent leaves at once: its leases are revoked and its tasks go back to ready. */
export async function unregisterAgent(
  tx: Tx,
  ctx: VerbContext,
  agentId: string,
): Promise<{ agent: Agent } & Revocations> {
  const events = new EventBatch(ctx);
  const found = await getAgentOrThrow(tx, agentId);
  const revoked = await release(tx, found, 'agent_unregistered', ctx, events);
  const current = (await tx.getAgent(agentId)) ?? found; // stats/trust were updated by the revocations
  const agent = setState(current, 'unregistered', ctx, events, 'unregister');
  await tx.putAgent(agent);
  await events.flush(tx);
  return { agent, revoked };
}

/** Periodic duty: agents silent past the heartbeat TTL are lost and their leases revoked. */
export async function sweepSilentAgents(tx: Tx, ctx: VerbContext): Promise<{ lost: Agent[] } & Revocations> {
  const events = new EventBatch(ctx);
  const lost: Agent[] = [];
  const revoked: Task[] = [];
  for (const agent of await tx.listSilentAgents(ctx.now - ctx.config.heartbeat.ttlMs)) {
    revoked.push(...(await release(tx, agent, 'agent_lost', ctx, events)));
    const current = (await tx.getAgent(agent.id)) ?? agent;
    const silentMs = ctx.now - agent.lastHeartbeatAt;
    const moved = setState(current, 'lost', ctx, events, `no heartbeat for ${silentMs} ms`);
    await tx.putAgent(moved);
    lost.push(moved);
  }
  await events.flush(tx);
  return { lost, revoked };
}

/**
 * At start: the orchestrator was down, so nobody could heartbeat. Live agents and their leases get
 * one fresh TTL from now instead of all being declared lost at once.
 */
export async function recoverAfterRestart(
  tx: Tx,
  ctx: VerbContext,
): Promise<{ agents: number; leases: number }> {
  let agents = 0;
  let leases = 0;
  for (const agent of await tx.listAgents(['active', 'draining'])) {
    await tx.putAgent({ ...agent, lastHeartbeatAt: Math.max(agent.lastHeartbeatAt, ctx.now) });
    agents++;
  }
  for (const task of await tx.listTasks({ states: LEASED }, { limit: Number.MAX_SAFE_INTEGER })) {
    await tx.putTask({
      ...task,
      leaseExpiresAt: Math.max(task.leaseExpiresAt ?? 0, ctx.now + ctx.config.leases.ttlMs),
    });
    leases++;
  }
  return { agents, leases };
}
