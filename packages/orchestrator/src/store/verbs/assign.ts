import type { Agent } from '../../registry/agent.ts';
import { planRound } from '../../scheduler/round.ts';
import type { PairScore, RoundAgent, RoundTask } from '../../scheduler/score.ts';
import type { Task } from '../../scheduler/task.ts';
import type { ReadTx, Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { transition } from './task-flow.ts';

export interface Lease {
  task: Task;
  agentId: string;
  score: PairScore;
}

export function toRoundTask(task: Task): RoundTask {
  return {
    id: task.id,
    goalId: task.goalId,
    skills: task.skills,
    priority: task.priority,
    readyKey: task.readyKey,
    lastAgentId: task.lastAgentId,
    attempts: task.attempts,
    lastFailed: task.error !== null && task.lastAgentId !== null,
  };
}

export function toRoundAgent(agent: Agent, active: number): RoundAgent {
  return {
    id: agent.id,
    skills: agent.skills,
    maxParallel: agent.maxParallel,
    state: agent.state,
    trust: agent.trust,
    stats: agent.stats,
    lastAssignedAt: agent.lastAssignedAt,
    active,
  };
}

/** The agents a round may use, with their current load. */
export async function roundAgents(tx: ReadTx): Promise<RoundAgent[]> {
  const loads = await tx.countLeasesByAgent();
  return (await tx.listAgents(['active'])).map((a) => toRoundAgent(a, loads.get(a.id) ?? 0));
}

/**
 * One assignment round: ready tasks in ready-queue order meet agents with free slots; the pure
 * planner picks pairs; every lease of the round commits in this one transaction, each with a new
 * epoch and a TTL, and each decision is logged with its explanation.
 */
export async function assignRound(tx: Tx, ctx: VerbContext): Promise<Lease[]> {
  // Agents first (locked on PostgreSQL, so concurrent rounds cannot both fill one agent's free
  // slots), then the ready tasks: the same lock order as every other verb.
  const agents = await roundAgents(tx);
  if (agents.length === 0) return [];
  const ready = await tx.listReadyTasks(ctx.now, ctx.config.scheduler.roundLimit);
  if (ready.length === 0) return [];
  const plan = planRound({ tasks: ready.map(toRoundTask), agents, policy: ctx.config });
  if (plan.assignments.length === 0) return [];

  const byId = new Map(ready.map((t) => [t.id, t]));
  const events = new EventBatch(ctx);
  const leases: Lease[] = [];
  const assignedAgents = new Set<string>();
  for (const a of plan.assignments) {
    const task = byId.get(a.taskId);
    if (!task) continue;
    const leased = transition(task, 'leased', ctx, events, {
      agentId: a.agentId,
      attempts: task.attempts + 1,
      epoch: task.epoch + 1,
      leasedAt: ctx.now,
      leaseExpiresAt: ctx.now + ctx.config.leases.ttlMs,
    });
    await tx.putTask(leased);
    events.add({
      kind: 'task.assigned',
      goalId: task.goalId,
      taskId: task.id,
      agentId: a.agentId,
      data: {
        epoch: leased.epoch,
        attempt: leased.attempts,
        score: a.score.value,
        parts: a.score.parts,
        explanation: a.score.explanation,
        candidates: a.candidates,
      },
    });
    leases.push({ task: leased, agentId: a.agentId, score: a.score });
    assignedAgents.add(a.agentId);
  }
  for (const id of assignedAgents) {
    const agent = await tx.getAgent(id);
    if (agent) await tx.putAgent({ ...agent, lastAssignedAt: ctx.now });
  }
  await events.flush(tx);
  return leases;
}
