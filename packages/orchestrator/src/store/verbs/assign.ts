import type { Agent } from '../../registry/agent.ts';
import { breakerBudgets, trustNow, type HealthConfig } from '../../registry/health.ts';
import { planRound, type Unassigned } from '../../scheduler/round.ts';
import type { PairScore, RoundAgent, RoundTask } from '../../scheduler/score.ts';
import { chainAgents, preferredAgent } from '../../scheduler/delegation.ts';
import { roundSkills } from '../../scheduler/fallback.ts';
import { leaseTtlMs } from '../../scheduler/policy.ts';
import type { Task } from '../../scheduler/task.ts';
import { nextWaiting } from '../../scheduler/waiting.ts';
import type { ReadTx, Tx, WaitingChange } from '../backend.ts';
import { EventBatch, type VerbContext } from './context.ts';
import { noteLeases } from './health.ts';
import { roundLimits } from './round-limits.ts';
import { transition } from './task-flow.ts';

/** Ready tasks read per free slot in a round. */
const READ_FACTOR = 4;

export interface Lease {
  task: Task;
  agentId: string;
  score: PairScore;
}

/**
 * A ready task as a round sees it. `covered` (the skills of the active agents) decides whether it
 * is matched on its fallback skills; without it, on its own skills.
 */
export function toRoundTask(task: Task, covered?: ReadonlySet<string>): RoundTask {
  return {
    id: task.id,
    goalId: task.goalId,
    skills: covered === undefined ? task.skills : roundSkills(task, covered),
    priority: task.priority,
    readyKey: task.readyKey,
    lastAgentId: task.lastAgentId,
    attempts: task.attempts,
    lastFailed: task.error !== null && task.lastAgentId !== null,
    concurrency: task.policy.concurrency,
    excludedAgents: chainAgents(task.delegations),
    preferredAgent: preferredAgent(task.delegations),
    experimental: task.policy.experimental,
  };
}

/** An agent as a round sees it at `now`: its trust decayed to now, its breakers as lease budgets. */
export function toRoundAgent(agent: Agent, active: number, now: number, cfg: HealthConfig): RoundAgent {
  const budgets = breakerBudgets(agent, now, cfg);
  return {
    id: agent.id,
    skills: agent.skills,
    maxParallel: agent.maxParallel,
    state: agent.state,
    trust: trustNow(agent, now, cfg),
    stats: agent.stats,
    lastAssignedAt: agent.lastAssignedAt,
    active,
    ...(Object.keys(budgets).length === 0 ? {} : { breakers: budgets }),
  };
}

/** The agents a round may use, with their current load. */
export async function roundAgents(
  tx: ReadTx,
  ctx: Pick<VerbContext, 'now' | 'config'>,
): Promise<RoundAgent[]> {
  const loads = await tx.countLeasesByAgent();
  return (await tx.listAgents(['active'])).map((a) =>
    toRoundAgent(a, loads.get(a.id) ?? 0, ctx.now, ctx.config),
  );
}

/**
 * Stores why the round left each ready task behind, for the tasks whose reason changed only
 * (`nextWaiting`): a round that gives the same reasons as the last one writes nothing.
 */
async function keepReasons(
  tx: Tx,
  unassigned: readonly Unassigned[],
  byId: ReadonlyMap<string, Task>,
  now: number,
): Promise<void> {
  const changes: WaitingChange[] = [];
  for (const u of unassigned) {
    const task = byId.get(u.taskId);
    if (task === undefined) continue;
    const waiting = nextWaiting(task.waiting, { code: u.code, message: u.reason }, now);
    if (waiting !== undefined) changes.push({ taskId: task.id, waiting });
  }
  if (changes.length > 0) await tx.setWaiting(changes);
}

/**
 * One assignment round: ready tasks in ready-queue order meet agents with free slots; the pure
 * planner picks pairs; every lease of the round commits in this one transaction, each with a new
 * epoch and a TTL, and each decision is logged with its explanation.
 */
export async function assignRound(tx: Tx, ctx: VerbContext): Promise<Lease[]> {
  // Agents first (locked on PostgreSQL, so concurrent rounds cannot both fill one agent's free
  // slots), then the ready tasks: the same lock order as every other verb.
  const agents = await roundAgents(tx, ctx);
  const free = agents.reduce((n, a) => n + Math.max(0, a.maxParallel - a.active), 0);
  // A full fleet has nothing to plan. Without any active agent the round still reads the head of
  // the queue, to say which skills its tasks wait for.
  if (free === 0 && agents.length > 0) return [];
  // Read only as much of the ready queue as the free slots can take: a round after each
  // completion must not re-read the whole queue. If that window leaves slots free while more is
  // queued behind it, look once more, as deep as scheduler.round_limit, past the goals and
  // concurrency keys the window found at their limits: the tasks of a capped goal at the head of
  // the queue then never hide the other goals' tasks behind them.
  const max = ctx.config.scheduler.roundLimit;
  const limit = Math.min(max, Math.max(free * READ_FACTOR, 16));
  const covered = new Set(agents.flatMap((a) => a.skills));
  const plan = async (tasks: Task[]) =>
    planRound({
      tasks: tasks.map((t) => toRoundTask(t, covered)),
      agents,
      policy: ctx.config,
      ...(await roundLimits(tx, tasks)),
    });
  let ready = await tx.listReadyTasks(ctx.now, limit);
  let round = await plan(ready);
  const { goalIds, keys } = round.limited;
  if (
    round.assignments.length < free &&
    ready.length === limit &&
    (limit < max || goalIds.length > 0 || keys.length > 0)
  ) {
    const deeper = await tx.listReadyTasks(ctx.now, max, { goalIds, keys });
    // The first window stays: its capped goals' tasks may still take the slots left to them.
    const seen = new Set(ready.map((t) => t.id));
    ready = [...ready, ...deeper.filter((t) => !seen.has(t.id))];
    round = await plan(ready);
  }
  const byId = new Map(ready.map((t) => [t.id, t]));
  await keepReasons(tx, round.unassigned, byId, ctx.now);
  if (round.assignments.length === 0) return [];

  const events = new EventBatch(ctx);
  const leases: Lease[] = [];
  const assignedAgents = new Map<string, Task[]>();
  for (const a of round.assignments) {
    const task = byId.get(a.taskId);
    if (!task) continue;
    const leased = transition(task, 'leased', ctx, events, {
      agentId: a.agentId,
      attempts: task.attempts + 1,
      epoch: task.epoch + 1,
      leasedAt: ctx.now,
      // The heartbeat timeout; the start-to-close deadline is set by entering `leased`.
      leaseExpiresAt: ctx.now + leaseTtlMs(task.policy, ctx.config.leases.ttlMs),
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
    assignedAgents.set(a.agentId, [...(assignedAgents.get(a.agentId) ?? []), leased]);
  }
  for (const [id, tasks] of assignedAgents) {
    const agent = await tx.getAgent(id);
    if (agent) await tx.putAgent(noteLeases({ ...agent, lastAssignedAt: ctx.now }, tasks, ctx));
  }
  await events.flush(tx);
  ctx.effects.leased(leases);
  return leases;
}
