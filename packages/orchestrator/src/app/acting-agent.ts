import { KosError } from '@kos/protocol';
import type { AgentCaller } from '../registry/identity.ts';
import { mayActAsAgent } from '../security/index.ts';
import type { Store } from '../store/store.ts';
import type { Actor } from './core.ts';

/**
 * Which agent a call acts as, decided here for every door. A KLP session acts as its own agent
 * (with the key it proved). An agent token acts as its own agent (a different `agentId` is
 * refused); an admin names the agent or, for a lease-holder call (`taskId`), acts as the task's
 * current holder (the epoch still fences).
 */
export async function actingAgent(
  store: Store,
  actor: Actor,
  named: { agentId?: string | undefined; taskId?: string | undefined },
): Promise<AgentCaller> {
  if (actor.kind === 'agent') {
    if (named.agentId !== undefined && named.agentId !== actor.caller.agentId) {
      throw new KosError('KOS_ERR_AGENT_MISMATCH', `this session acts as agent ${actor.caller.agentId}`, {
        agent_id: named.agentId,
      });
    }
    return actor.caller;
  }
  if (actor.kind === 'newcomer') {
    throw new KosError('KOS_ERR_UNAUTHENTICATED', `agent ${actor.name} must finish its hello first`);
  }
  if (actor.kind === 'system') {
    if (named.agentId === undefined) throw new KosError('KOS_ERR_VALIDATION', 'name the agent to act as');
    return { agentId: named.agentId };
  }
  const { token } = actor;
  const { agentId } = named;
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
    return { agentId: agent.id };
  }
  if (agentId !== undefined) {
    const agent = await store.read((tx) => tx.getAgent(agentId));
    if (!agent)
      throw new KosError('KOS_ERR_AGENT_NOT_FOUND', `no agent has id ${agentId}`, { agent_id: agentId });
    if (!mayActAsAgent(token, agent.name, store.now())) {
      throw new KosError('KOS_ERR_AGENT_MISMATCH', `this token may not act as agent ${agent.name}`, {
        agent_id: agentId,
      });
    }
    return { agentId: agent.id };
  }
  const { taskId } = named;
  if (taskId === undefined) throw new KosError('KOS_ERR_VALIDATION', 'name the agent to act as (agent_id)');
  const task = await store.read((tx) => tx.getTask(taskId));
  if (!task)
    throw new KosError('KOS_ERR_TASK_NOT_FOUND', `no task has id ${taskId}`, { subtask_uuid: taskId });
  return { agentId: task.agentId ?? '' };
}
