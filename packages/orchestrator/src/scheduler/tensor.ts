import { priorityLevel } from '@kos/protocol';
import {
  explainPair,
  incapableCode,
  pairParts,
  pairValue,
  type PairParts,
  type RoundAgent,
  type RoundTask,
  type SchedulingPolicy,
} from './score.ts';
import { isLeased, type TaskState } from './task.ts';

/** A task as the tensor sees it: any state, with the agent holding its lease if any. */
export type TensorTask = RoundTask & { state: TaskState; agentId: string | null };

/** One non-zero cell: [task index, agent index, priority level (0 critical … 3 low), value]. */
export type TensorEntry = [task: number, agent: number, level: number, value: number];

/**
 * The task tensor T[n_tasks, n_agents, 4] of seed 002: how likely each agent is to run each task,
 * at the task's priority level. Axes follow the input order of tasks and agents.
 */
export interface Tensor {
  readonly shape: readonly [tasks: number, agents: number, levels: 4];
  readonly taskIds: readonly string[];
  readonly agentIds: readonly string[];
  /** The non-zero cells, by task then agent. */
  sparse(): { entries: TensorEntry[] };
  /** Every cell, built on each call: large fleets that only need the sparse form never pay for it. */
  dense(): number[][][];
  /** Why each non-zero cell has its value, in the order of `sparse().entries`. */
  explain(): TensorExplanation[];
}

/**
 * The reason of one cell: the score parts of a ready task's pair (scheduler/score.ts), or null
 * parts for the holder of a lease (its cell is 1).
 */
export interface TensorExplanation {
  parts: PairParts | null;
  explanation: string;
}

export interface TensorInput {
  tasks: readonly TensorTask[];
  agents: readonly RoundAgent[];
  policy: SchedulingPolicy;
}

/**
 * Builds the tensor. Per task row, at the task's priority level:
 * - leased or running: 1.0 at the agent holding the lease (zeros if that agent is not listed);
 * - ready: a distribution over its capable agents with weight = scorePair's value, summing to 1.
 *   Capacity does not make an agent incapable here: the value's free-ratio term (0 when full)
 *   already gives busy agents a smaller, non-zero share, which is what "likely to run it" means
 *   once slots free up;
 * - any other state, or a ready task no agent can take: zeros.
 */
export function buildTensor(input: TensorInput): Tensor {
  const { tasks, agents, policy } = input;
  const skillSets = agents.map((a) => new Set(a.skills));
  const indexById = new Map(agents.map((a, j) => [a.id, j]));
  // Ready tasks with the same skills and no previous agent share one row: cache it.
  const rowCache = new Map<string, Cell[]>();

  const entries: TensorEntry[] = [];
  const parts: (PairParts | null)[] = [];
  tasks.forEach((task, i) => {
    const level = priorityLevel(task.priority);
    if (isLeased(task.state)) {
      const j = task.agentId === null ? undefined : indexById.get(task.agentId);
      if (j !== undefined) {
        entries.push([i, j, level, 1]);
        parts.push(null);
      }
      return;
    }
    if (task.state !== 'ready') return;
    const key = task.lastAgentId === null ? JSON.stringify(task.skills) : null;
    let row = key === null ? undefined : rowCache.get(key);
    if (row === undefined) {
      row = readyRow(task, agents, skillSets, policy);
      if (key !== null) rowCache.set(key, row);
    }
    for (const [j, v, p] of row) {
      entries.push([i, j, level, v]);
      parts.push(p);
    }
  });

  return {
    shape: [tasks.length, agents.length, 4],
    taskIds: tasks.map((t) => t.id),
    agentIds: agents.map((a) => a.id),
    sparse: () => ({ entries: entries.map((e) => [...e]) }),
    dense: () => {
      const d = tasks.map(() => agents.map(() => [0, 0, 0, 0]));
      for (const [i, j, k, v] of entries) (d[i]?.[j] as number[])[k] = v;
      return d;
    },
    explain: () =>
      entries.map(([, j], n) => {
        const p = parts[n] ?? null;
        const agent = agents[j];
        return {
          parts: p,
          explanation: p === null || agent === undefined ? 'holds the lease' : explainPair(agent, p),
        };
      }),
  };
}

/** [agent index, probability, the pair's score parts]. */
type Cell = [number, number, PairParts];

/** A cell for each capable agent of a ready task, in agent order. */
function readyRow(
  task: RoundTask,
  agents: readonly RoundAgent[],
  skillSets: readonly Set<string>[],
  policy: SchedulingPolicy,
): Cell[] {
  const row: Cell[] = [];
  let total = 0;
  agents.forEach((agent, j) => {
    if (incapableCode(task, agent, skillSets[j] as Set<string>, policy, true) !== null) return;
    const p = pairParts(task, agent, policy);
    const value = pairValue(p);
    row.push([j, value, p]);
    total += value;
  });
  for (const cell of row) cell[1] /= total;
  return row;
}
