import { KosError } from '@kos/protocol';
import type { Agent, AgentState } from '../registry/agent.ts';
import { LEASED_TASK_STATES, type Task } from '../scheduler/task.ts';
import type { InFlight } from '../store/verbs/agents.ts';
import type { QuarantineRequest } from '../store/verbs/quarantine.ts';
import { actingAgent } from './acting-agent.ts';
import { actorId, type Actor, type Core } from './core.ts';
import { assertWithin } from './limits.ts';
import { ALL } from './paging.ts';

export interface AgentRegistration {
  /** The agent's name (seed 002's context_id). */
  name: string;
  skills: string[];
  maxParallel?: number | undefined;
  /** The Ed25519 key a KLP session proved (its challenge), bound to the name on first use. */
  publicKey?: string | undefined;
  /** A KLP hello's agent token that vouched for the name's first use, bound to it now. */
  bindTokenHash?: string | undefined;
}

/** An agent with the number of leases it holds now. */
export interface AgentLoad {
  agent: Agent;
  activeLeases: number;
}

/**
 * Registers (or registers again) an agent by name. An agent token registers only its own name and
 * is bound to it by its first registration.
 */
export async function registerAgent(core: Core, actor: Actor, req: AgentRegistration): Promise<AgentLoad> {
  assertWithin('skills per agent', req.skills.length, core.config.limits.maxSkillsPerEntity);
  let bindTokenHash = req.bindTokenHash;
  if (actor.kind === 'token' && actor.token.role === 'agent') {
    const { token } = actor;
    if (token.agentName !== null && token.agentName !== req.name) {
      throw new KosError(
        'KOS_ERR_AGENT_MISMATCH',
        `this agent token is bound to ${token.agentName}, not ${req.name}`,
        {
          context_id: req.name,
        },
      );
    }
    bindTokenHash = token.hash;
  }
  const { agent } = await core.store.registerAgent(actorId(actor), {
    name: req.name,
    skills: req.skills,
    maxParallel: req.maxParallel,
    publicKey: req.publicKey,
    bindTokenHash,
  });
  const activeLeases = (await core.store.read((tx) => tx.countLeasesByAgent())).get(agent.id) ?? 0;
  return { agent, activeLeases };
}

/**
 * The agent is alive: renews its leases (for KLP, those it lists in flight) and says which listed
 * ones it does not hold any more.
 */
export function heartbeat(
  core: Core,
  actor: Actor,
  req: { agentId?: string | undefined; inFlight?: readonly InFlight[] },
) {
  return actingAgent(core.store, actor, req).then((caller) =>
    core.store.heartbeat(actorId(actor), caller, req.inFlight),
  );
}

/** The agent takes no new work; `return` gives its leases back now, `finish` lets them run out. */
export async function drainAgent(
  core: Core,
  actor: Actor,
  req: { agentId?: string | undefined; mode: 'finish' | 'return' },
) {
  const caller = await actingAgent(core.store, actor, req);
  return core.store.drainAgent(actorId(actor), caller, req.mode);
}

/** Operator: the agent takes no new task; those it holds finish. Registering again ends it. */
export async function drainAgentByOperator(
  core: Core,
  actor: Actor,
  req: { agentId: string; reason?: string | undefined },
) {
  return core.store.drainAgentByOperator(actorId(actor), req.agentId, req.reason ?? 'drained by an operator');
}

/** The agent leaves; its leases are revoked (and reassigned). */
export async function unregisterAgent(core: Core, actor: Actor, req: { agentId?: string | undefined }) {
  const caller = await actingAgent(core.store, actor, req);
  return core.store.unregisterAgent(actorId(actor), caller);
}

/**
 * Isolates an agent and revokes its leases: an operator's decision, or the KLP gateway's on a
 * forged frame (its failure counts decide; see docs/agent-health.md).
 */
export async function quarantineAgent(
  core: Core,
  actor: Actor,
  req: { agentId: string; reason: string; trigger?: QuarantineRequest['trigger'] | undefined },
) {
  return core.store.quarantineAgent(actorId(actor), req.agentId, {
    reason: req.reason,
    trigger: req.trigger ?? 'operator',
  });
}

/** Operator: a quarantined agent may register again, its failure counts and breakers reset. */
export async function releaseAgent(
  core: Core,
  actor: Actor,
  req: { agentId: string; reason?: string | undefined },
) {
  return core.store.releaseAgent(actorId(actor), req.agentId, req.reason ?? 'released by an operator');
}

export async function listAgents(core: Core, req: { state?: AgentState | undefined }): Promise<AgentLoad[]> {
  const { agents, loads } = await core.store.read(async (tx) => ({
    agents: await tx.listAgents(req.state ? [req.state] : undefined),
    loads: await tx.countLeasesByAgent(),
  }));
  return agents.map((agent) => ({ agent, activeLeases: loads.get(agent.id) ?? 0 }));
}

export async function getAgent(core: Core, agentId: string): Promise<{ agent: Agent; leases: Task[] }> {
  const { agent, leases } = await core.store.read(async (tx) => ({
    agent: await tx.getAgent(agentId),
    leases: await tx.listTasks({ agentId, states: LEASED_TASK_STATES }, { limit: ALL }),
  }));
  if (!agent)
    throw new KosError('KOS_ERR_AGENT_NOT_FOUND', `no agent has id ${agentId}`, { agent_id: agentId });
  return { agent, leases };
}

/** Active and draining agents offering all of `skills` (all agents when none), with their free slots. */
export async function findCapable(core: Core, skills: readonly string[] | undefined) {
  const { agents, loads } = await core.store.read(async (tx) => ({
    agents: await tx.listAgents(['active', 'draining']),
    loads: await tx.countLeasesByAgent(),
  }));
  return agents
    .filter((a) => !skills || skills.every((k) => a.skills.includes(k)))
    .map((agent) => ({
      agent,
      freeSlots: agent.state === 'active' ? Math.max(0, agent.maxParallel - (loads.get(agent.id) ?? 0)) : 0,
    }));
}
