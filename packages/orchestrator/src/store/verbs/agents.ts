import { KosError } from '@kos/protocol';
import type { Agent } from '../../registry/agent.ts';
import { leaseTtlMs } from '../../scheduler/policy.ts';
import { LEASED_TASK_STATES, type Task } from '../../scheduler/task.ts';
import type { Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { revokeLease, type RevokeReason } from './leases.ts';
import { assertProven, type AgentCaller } from '../../registry/identity.ts';
import { getAgentOrThrow, setAgentState as setState } from './registration.ts';

/** Agent presence: heartbeats, draining, leaving, silence, restart. */

export interface InFlight {
  taskId: string;
  epoch: number;
}

/**
 * Proof of life: renews the agent's presence and its leases — all of them (REST heartbeat), or only
 * those it lists as in flight with their current epoch (KLP heartbeat: proof that its work loop,
 * not just its socket, is alive); not those being cancelled. Returns the listed tasks it does not
 * hold (any more), so it can be told to drop them. A lost agent that speaks again is active again (its old leases were already
 * revoked); an unregistered or quarantined one must register again.
 */
export async function heartbeat(
  tx: Tx,
  ctx: VerbContext,
  caller: AgentCaller,
  inFlight?: readonly InFlight[],
): Promise<{ agent: Agent; leases: Task[]; revived: boolean; unknown: InFlight[] }> {
  const events = new EventBatch(ctx);
  const agentId = caller.agentId;
  const found = await getAgentOrThrow(tx, agentId);
  assertProven(found, caller.provenKey);
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
  const agent = {
    ...(revived ? setState(found, 'active', ctx, events, 'heartbeat') : found),
    lastHeartbeatAt: ctx.now,
  };
  await tx.putAgent(agent);
  const held = await tx.listTasks(
    { agentId, states: LEASED_TASK_STATES },
    { limit: Number.MAX_SAFE_INTEGER },
  );
  const listed = inFlight && new Map(inFlight.map((f) => [f.taskId, f.epoch]));
  const leases: Task[] = [];
  for (const task of held) {
    // A task being cancelled keeps its grace deadline: heartbeats do not extend it.
    if (task.state === 'cancelling' || (listed && listed.get(task.id) !== task.epoch)) continue;
    const renewed = { ...task, leaseExpiresAt: ctx.now + leaseTtlMs(task.policy, ctx.config.leases.ttlMs) };
    await tx.putTask(renewed);
    leases.push(renewed);
  }
  const current = new Set(held.map((t) => `${t.id}@${t.epoch}`));
  const unknown = (inFlight ?? []).filter((f) => !current.has(`${f.taskId}@${f.epoch}`));
  await events.flush(tx);
  return { agent, leases, revived, unknown };
}

/**
 * The agent stops taking work (KLP handover). `finish`: it completes what it holds; `return`: its
 * leases are handed back now and the tasks are ready again.
 */
export async function drainAgent(
  tx: Tx,
  ctx: VerbContext,
  caller: AgentCaller,
  mode: 'finish' | 'return',
): Promise<{ agent: Agent }> {
  const events = new EventBatch(ctx);
  const agentId = caller.agentId;
  const found = await getAgentOrThrow(tx, agentId);
  assertProven(found, caller.provenKey);
  if (mode === 'return') await release(tx, found, 'handed_back', ctx, events);
  const current = (await tx.getAgent(agentId)) ?? found;
  const agent = settleState(current, 'draining', ctx, events, `handover (${mode})`);
  await tx.putAgent(agent);
  await events.flush(tx);
  return { agent };
}

/**
 * Operator: the agent takes no new task; those it holds finish (the engine stops offering it work
 * because it is not active). It stays draining through heartbeats; registering again — a KLP
 * reconnect included — makes it active, as it does after any drain.
 */
export async function drainAgentByOperator(
  tx: Tx,
  ctx: VerbContext,
  agentId: string,
  reason: string,
): Promise<{ agent: Agent }> {
  const found = await getAgentOrThrow(tx, agentId);
  if (found.state !== 'active' && found.state !== 'lost') {
    throw new KosError(
      'KOS_ERR_AGENT_NOT_ACTIVE',
      `agent ${found.name} is ${found.state}: only an active (or lost) agent can be drained`,
      { agent_id: agentId, state: found.state },
    );
  }
  const events = new EventBatch(ctx);
  const agent = setState(found, 'draining', ctx, events, reason);
  await tx.putAgent(agent);
  await events.flush(tx);
  return { agent };
}

/**
 * Moves the agent after its leases were revoked, unless it is quarantined (it was, or the lost
 * leases just made it so): leaving never ends a quarantine, only an operator's release does.
 */
function settleState(
  agent: Agent,
  to: Agent['state'],
  ctx: VerbContext,
  events: EventBatch,
  reason: string,
): Agent {
  return agent.state === 'quarantined' ? agent : setState(agent, to, ctx, events, reason);
}

async function release(tx: Tx, agent: Agent, reason: RevokeReason, ctx: VerbContext, events: EventBatch) {
  for (const task of await tx.listTasks(
    { agentId: agent.id, states: LEASED_TASK_STATES },
    { limit: Number.MAX_SAFE_INTEGER },
  )) {
    await revokeLease(tx, task, reason, ctx, events);
  }
}

/**
 * The agent leaves at once: its leases are revoked and its tasks go back to ready. `revoked`: the
 * leases this ended (its own, and others' its goals' policies cancelled), for the reply.
 */
export async function unregisterAgent(
  tx: Tx,
  ctx: VerbContext,
  caller: AgentCaller,
): Promise<{ agent: Agent; revoked: Task[] }> {
  const events = new EventBatch(ctx);
  const agentId = caller.agentId;
  const found = await getAgentOrThrow(tx, agentId);
  assertProven(found, caller.provenKey);
  await release(tx, found, 'agent_unregistered', ctx, events);
  const current = (await tx.getAgent(agentId)) ?? found; // stats/trust were updated by the revocations
  const agent = settleState(current, 'unregistered', ctx, events, 'unregister');
  await tx.putAgent(agent);
  await events.flush(tx);
  return { agent, revoked: ctx.effects.revocations.map((r) => r.task) };
}

/** Periodic duty: agents silent past the heartbeat TTL are lost and their leases revoked. */
export async function sweepSilentAgents(tx: Tx, ctx: VerbContext): Promise<{ lost: Agent[] }> {
  const events = new EventBatch(ctx);
  const lost: Agent[] = [];
  for (const agent of await tx.listSilentAgents(ctx.now - ctx.config.heartbeat.ttlMs)) {
    await release(tx, agent, 'agent_lost', ctx, events);
    const current = (await tx.getAgent(agent.id)) ?? agent;
    const silentMs = ctx.now - agent.lastHeartbeatAt;
    const moved = settleState(current, 'lost', ctx, events, `no heartbeat for ${silentMs} ms`);
    await tx.putAgent(moved);
    lost.push(moved);
  }
  await events.flush(tx);
  return { lost };
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
  for (const task of await tx.listTasks({ states: LEASED_TASK_STATES }, { limit: Number.MAX_SAFE_INTEGER })) {
    // A task being cancelled gets a fresh grace period, not a lease: its holder only has to stop.
    const ttl =
      task.state === 'cancelling'
        ? ctx.config.cancellation.graceMs
        : leaseTtlMs(task.policy, ctx.config.leases.ttlMs);
    await tx.putTask({ ...task, leaseExpiresAt: Math.max(task.leaseExpiresAt ?? 0, ctx.now + ttl) });
    leases++;
  }
  return { agents, leases };
}
