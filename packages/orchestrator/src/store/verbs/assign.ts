import type { Agent } from '../../registry/agent.ts';
import { planRound } from '../../scheduler/round.ts';
import type { PairScore, RoundAgent, RoundTask } from '../../scheduler/score.ts';
import type { Task } from '../../scheduler/task.ts';
import type { ReadTx, Tx } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { transition } from './task-flow.ts';

/** Ready tasks read per free slot in a round. */
const READ_FACTOR = 4;

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
  const free = agents.reduce((n, a) => n + Math.max(0, a.maxParallel - a.active), 0);
  if (free === 0) return [];
  // Read only as much of the ready queue as the free slots can take: a round after each
  // completion must not re-read the whole queue. If that window leaves slots free (its tasks need
  // skills no free agent has), look once more, as deep as scheduler.round_limit.
  const max = ctx.config.scheduler.roundLimit;
  let limit = Math.min(max, Math.max(free * READ_FACTOR, 16));
  let ready = await tx.listReadyTasks(ctx.now, limit);
  let plan = planRound({ tasks: ready.map(toRoundTask), agents, policy: ctx.config });
  if (plan.assignments.length < free && ready.length === limit && limit < max) {
    limit = max;
    ready = await tx.listReadyTasks(ctx.now, limit);
    plan = planRound({ tasks: ready.map(toRoundTask), agents, policy: ctx.config });
  }
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
