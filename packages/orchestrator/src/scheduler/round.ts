import { AgentPools } from './pool.ts';
import { UnassignedReasons } from './reasons.ts';
import {
  explainPair,
  pairParts,
  pairValue,
  type PairScore,
  type RoundAgent,
  type RoundTask,
  type SchedulingPolicy,
} from './score.ts';

export interface Assignment {
  taskId: string;
  agentId: string;
  score: PairScore;
  /** Capable agents with a free slot that competed for the task (1 for a task bound to its agent). */
  candidates: number;
}

export interface RoundInput {
  /** Ready tasks, in any order. */
  tasks: readonly RoundTask[];
  agents: readonly RoundAgent[];
  policy: SchedulingPolicy;
}

export interface RoundPlan {
  assignments: Assignment[];
  unassigned: { taskId: string; reason: string }[];
}

/** Ready-queue order: readyKey, then id so equal keys are deterministic. */
export function compareReady(a: RoundTask, b: RoundTask): number {
  if (a.readyKey !== b.readyKey) return a.readyKey - b.readyKey;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Plans one assignment round. Tasks go in ready-queue order; each takes the best capable agent
 * (the order of comparePairs) that still has a free slot, and capacity is consumed as the round
 * goes. A task no agent can take is skipped, so it never blocks the tasks behind it.
 * The input is not modified; the result is the same for the same tasks and agents in any order.
 */
export function planRound(input: RoundInput): RoundPlan {
  const pools = new AgentPools(input.agents, input.policy);
  const reasons = new UnassignedReasons(pools.agents, pools.skillSets, input.policy);
  const plan: RoundPlan = { assignments: [], unassigned: [] };
  for (const task of [...input.tasks].sort(compareReady)) {
    if (pools.freeSlots === 0) {
      plan.unassigned.push({ taskId: task.id, reason: 'no agent has a free slot left in this round' });
      continue;
    }
    const pick = pools.pick(task);
    if (pick === null) {
      plan.unassigned.push({ taskId: task.id, reason: reasons.explain(task) });
      continue;
    }
    const agent = pools.agents[pick.index] as RoundAgent;
    const parts = pairParts(task, agent, input.policy);
    const score: PairScore = {
      capable: true,
      agentId: agent.id,
      value: pairValue(parts),
      parts,
      explanation: explainPair(agent, parts),
    };
    plan.assignments.push({ taskId: task.id, agentId: agent.id, score, candidates: pick.candidates });
    pools.assign(pick.index);
  }
  return plan;
}
