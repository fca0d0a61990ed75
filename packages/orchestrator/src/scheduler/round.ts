import { atLimit, compareReady, FairQueue, type RoundGoal } from './fair-queue.ts';
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
import type { RoundReason, RoundReasonCode } from './waiting.ts';

export { compareReady, type RoundGoal };

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
  /** The tasks' goals: leases held now, limit and weight. A goal not listed: none, none, 1. */
  goals?: ReadonlyMap<string, RoundGoal> | undefined;
  /** Tasks leased now per concurrency key; a key not listed has none. */
  keyLeases?: ReadonlyMap<string, number> | undefined;
}

/** A ready task a round left behind, with why (scheduler/waiting.ts says which reasons it keeps). */
export interface Unassigned {
  taskId: string;
  code: RoundReasonCode;
  /** For a person, e.g. "no active agent has skill gpu". */
  reason: string;
}

export interface RoundPlan {
  assignments: Assignment[];
  /** In ready-queue order. */
  unassigned: Unassigned[];
  /** Goals and concurrency keys at their limit that held back tasks of this round. */
  limited: { goalIds: string[]; keys: string[] };
}

/**
 * Plans one assignment round. Tasks come in the order of FairQueue (ready-queue order, shared
 * between the goals of a tier by weight); each takes the best capable agent (the order of
 * comparePairs) that still has a free slot, and capacity is consumed as the round goes. A task no
 * agent can take, whose goal or concurrency key is at its limit, is skipped, so it never blocks
 * the tasks behind it. The input is not modified; the result is the same for the same input in any
 * order.
 */
export function planRound(input: RoundInput): RoundPlan {
  const pools = new AgentPools(input.agents, input.policy);
  const reasons = new UnassignedReasons(pools.agents, pools.skillSets, input.policy);
  const queue = new FairQueue(input.tasks, input.goals);
  const keyHeld = new Map(input.keyLeases ?? []);
  const limitedKeys = new Set<string>();
  const assignments: Assignment[] = [];
  const unassigned: { task: RoundTask; reason: RoundReason }[] = [];
  for (let lane = queue.peek(); lane !== null && pools.freeSlots > 0; lane = queue.peek()) {
    const task = lane.tasks[lane.next] as RoundTask;
    const c = task.concurrency;
    if (c !== null && (keyHeld.get(c.key) ?? 0) >= c.limit) {
      limitedKeys.add(c.key);
      unassigned.push({
        task,
        reason: {
          code: 'concurrency_limit',
          message: `concurrency key ${c.key} is at its limit of ${c.limit} leased tasks`,
        },
      });
      queue.advance(lane, false);
      continue;
    }
    const pick = pools.pick(task);
    if (pick === null) {
      unassigned.push({ task, reason: reasons.explain(task) });
      queue.advance(lane, false);
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
    assignments.push({ taskId: task.id, agentId: agent.id, score, candidates: pick.candidates });
    pools.assign(pick.index, task);
    queue.advance(lane, true);
    if (c !== null) keyHeld.set(c.key, (keyHeld.get(c.key) ?? 0) + 1);
  }
  const limitedGoals = new Set<string>();
  for (const { task, goal } of queue.remaining()) {
    if (atLimit(goal)) {
      limitedGoals.add(goal.id);
      unassigned.push({
        task,
        reason: {
          code: 'goal_limit',
          message: `goal ${goal.id} is at its limit of ${goal.maxParallel} leased tasks (max_parallel_tasks)`,
        },
      });
    } else {
      unassigned.push({ task, reason: reasons.notReached(task) });
    }
  }
  unassigned.sort((a, b) => compareReady(a.task, b.task));
  return {
    assignments,
    unassigned: unassigned.map((u) => ({ taskId: u.task.id, code: u.reason.code, reason: u.reason.message })),
    limited: { goalIds: [...limitedGoals].sort(), keys: [...limitedKeys].sort() },
  };
}
