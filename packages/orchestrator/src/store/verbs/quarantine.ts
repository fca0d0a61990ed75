import { KosError } from '@kos/protocol';
import type { Agent } from '../../registry/agent.ts';
import { afterForgedFrame, RELEASED_STATE, released } from '../../registry/health.ts';
import { isLeased, LEASED_TASK_STATES, type Task } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { markQuarantined } from './health.ts';
import { revokeLease } from './leases.ts';
import { getAgentOrThrow } from './registration.ts';

/**
 * Quarantine: an isolated agent gets no lease, cannot heartbeat or register again, and its leases
 * are revoked (the engine tells it to stop once the transaction commits). Policy quarantines it when its failure
 * counts reach the lifecycle thresholds (health.ts) or when it sends a forged frame; an operator
 * may quarantine any agent. Only an operator releases it.
 */

export interface QuarantineRequest {
  reason: string;
  /** `operator`: an explicit request (refused if already quarantined); `forged_frame`: the KLP gateway. */
  trigger: 'operator' | 'forged_frame';
}

export async function quarantineAgent(
  tx: Tx,
  ctx: VerbContext,
  agentId: string,
  request: QuarantineRequest,
): Promise<{ agent: Agent; revoked: Task[] }> {
  const found = await getAgentOrThrow(tx, agentId);
  if (found.state === 'quarantined') {
    if (request.trigger === 'forged_frame') return { agent: found, revoked: [] };
    throw new KosError('KOS_ERR_AGENT_QUARANTINED', `agent ${found.name} is already quarantined`, {
      agent_id: agentId,
      quarantine: found.health.quarantine,
    });
  }
  const events = new EventBatch(ctx);
  const suspect = request.trigger === 'forged_frame' ? afterForgedFrame(found, ctx.now, ctx.config) : found;
  const agent = markQuarantined(suspect, request.trigger, request.reason, ctx.actor, ctx, events);
  await tx.putAgent(agent);
  await revokeHeld(tx, agent, ctx, events);
  await events.flush(tx);
  // The leases this ended, for the reply: the agent's own, and others' its goals' policies cancelled.
  return { agent, revoked: ctx.effects.revocations.map((r) => r.task) };
}

/**
 * Operator: a quarantined agent may come back. Its failure counts, crashes and breakers start
 * afresh; its trust is kept. It is left unregistered, so it gets work again once it registers
 * (or reconnects over KLP).
 */
export async function releaseAgent(
  tx: Tx,
  ctx: VerbContext,
  agentId: string,
  reason: string,
): Promise<{ agent: Agent }> {
  const found = await getAgentOrThrow(tx, agentId);
  if (found.state !== 'quarantined') {
    throw new KosError(
      'KOS_ERR_AGENT_NOT_QUARANTINED',
      `agent ${found.name} is ${found.state}, not quarantined: nothing to release`,
      { agent_id: agentId, state: found.state },
    );
  }
  const events = new EventBatch(ctx);
  events.add({
    kind: 'agent.state',
    agentId,
    data: {
      from: 'quarantined',
      to: RELEASED_STATE,
      reason,
      trigger: 'release',
      by: ctx.actor,
      quarantine: found.health.quarantine,
    },
  });
  const agent = released(found, ctx.now);
  await tx.putAgent(agent);
  await events.flush(tx);
  return { agent };
}

/**
 * Revokes the leases still held by quarantined agents: those of `agentIds` that are quarantined,
 * or all of them. Runs at the end of a verb that may have quarantined an agent, and in each sweep,
 * so a lease of a quarantined agent outlives its quarantine by at most one sweep interval.
 */
export async function revokeQuarantinedLeases(
  tx: Tx,
  ctx: VerbContext,
  agentIds?: readonly string[],
): Promise<void> {
  const agents: Agent[] = [];
  if (agentIds === undefined) {
    agents.push(...(await tx.listAgents(['quarantined'])));
  } else {
    for (const id of new Set(agentIds)) {
      const agent = await tx.getAgent(id);
      if (agent?.state === 'quarantined') agents.push(agent);
    }
  }
  if (agents.length === 0) return;
  const events = new EventBatch(ctx);
  for (const agent of agents) await revokeHeld(tx, agent, ctx, events);
  await events.flush(tx);
}

async function revokeHeld(tx: Tx, agent: Agent, ctx: VerbContext, events: EventBatch): Promise<void> {
  const held = await tx.listTasks(
    { agentId: agent.id, states: LEASED_TASK_STATES },
    { limit: Number.MAX_SAFE_INTEGER },
  );
  for (const listed of held) {
    // Re-read: revoking one lease may end others (a goal that fails fast cancels its tasks).
    const task = await tx.getTask(listed.id);
    if (!task || !isLeased(task.state) || task.agentId !== agent.id) continue;
    await revokeLease(tx, task, 'agent_quarantined', ctx, events);
  }
}
