import { priorityLevel } from '@kos/protocol';
import { MinHeap } from './heap.ts';
import type { RoundTask } from './score.ts';

/** A goal as an assignment round sees it. */
export interface RoundGoal {
  /** Its tasks leased now, before the round. */
  leased: number;
  /** At most this many of its tasks leased at once; null: no limit. */
  maxParallel: number | null;
  /** Its share of a priority tier relative to the other goals with tasks in that tier (≥ 1). */
  weight: number;
}

/** A goal the round was told nothing about: no leases, no limit, weight 1. */
const PLAIN_GOAL: RoundGoal = { leased: 0, maxParallel: null, weight: 1 };

/** Ready-queue order: readyKey, then id so equal keys are deterministic. */
export function compareReady(a: RoundTask, b: RoundTask): number {
  if (a.readyKey !== b.readyKey) return a.readyKey - b.readyKey;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A goal's share during a round; `version` moves whenever `held` does. */
export interface GoalShare {
  readonly id: string;
  /** Leased before the round plus assigned in it. */
  held: number;
  readonly maxParallel: number | null;
  readonly weight: number;
  version: number;
}

/**
 * One goal's ready tasks of one priority tier, in ready-queue order; `next` is the first not yet
 * taken. A lane is its own entry in its tier's heap, and `held`/`version` are its goal's share when
 * it was last pushed there.
 */
export interface Lane {
  readonly goal: GoalShare;
  readonly tier: number;
  readonly tasks: RoundTask[];
  next: number;
  held: number;
  version: number;
}

/**
 * Stride order within a tier: the goal furthest below its weighted share first (lowest
 * held / weight, compared without division), then the older head task.
 */
function before(a: Lane, b: Lane): boolean {
  const x = a.held * b.goal.weight;
  const y = b.held * a.goal.weight;
  if (x !== y) return x < y;
  return compareReady(a.tasks[a.next] as RoundTask, b.tasks[b.next] as RoundTask) < 0;
}

export function atLimit(goal: GoalShare): boolean {
  return goal.maxParallel !== null && goal.held >= goal.maxParallel;
}

/**
 * The order in which a round offers ready tasks, fair between goals within a priority tier.
 *
 * - Within a goal and tier, tasks keep ready-queue order.
 * - Within a tier, the next task comes from the goal with the lowest held/weight (stride
 *   scheduling), so over a round the goals of a tier get slots in proportion to their weights: a
 *   goal is never more than one slot ahead of its weighted share of another goal's.
 * - Across tiers, the tiers' candidates go in ready-queue order, so priority tiers and aging keep
 *   deciding which tier goes first; with one goal this is exactly ready-queue order.
 * - A goal at its maxParallel offers nothing more; its tasks are left in `remaining()`.
 *
 * Each tier keeps a heap of its goals' lanes. A lane goes stale in its heap when its goal takes a
 * slot in another tier (held only grows, so it only ranks worse), and is refreshed when it surfaces.
 */
export class FairQueue {
  private readonly heaps: MinHeap<Lane>[] = [];
  private readonly heapOf: (MinHeap<Lane> | undefined)[] = [];
  private readonly lanes: Lane[] = [];
  private readonly goals = new Map<string, GoalShare>();

  constructor(tasks: readonly RoundTask[], goals: ReadonlyMap<string, RoundGoal> | undefined) {
    // Lanes by tier, then by goal id.
    const laneOf: Map<string, Lane>[] = [];
    for (const task of [...tasks].sort(compareReady)) {
      const tier = priorityLevel(task.priority);
      const lanes = (laneOf[tier] ??= new Map());
      let lane = lanes.get(task.goalId);
      if (lane === undefined) {
        const goal = this.share(task.goalId, goals);
        lane = { goal, tier, tasks: [], next: 0, held: goal.held, version: goal.version };
        lanes.set(task.goalId, lane);
        this.lanes.push(lane);
      }
      lane.tasks.push(task);
    }
    for (const lane of this.lanes) {
      let heap = this.heapOf[lane.tier];
      if (heap === undefined) {
        heap = new MinHeap(before);
        this.heapOf[lane.tier] = heap;
        this.heaps.push(heap);
      }
      heap.push(lane);
    }
  }

  /** The next lane to take a task from (its head is `lane.tasks[lane.next]`), or null when none is left. */
  peek(): Lane | null {
    let best: Lane | null = null;
    for (const heap of this.heaps) {
      const top = validTop(heap);
      if (top !== undefined && (best === null || compareReady(head(top), head(best)) < 0)) best = top;
    }
    return best;
  }

  /** Moves `lane` (the one `peek` returned) past its head; `assigned` counts it in its goal's share. */
  advance(lane: Lane, assigned: boolean): void {
    const heap = this.heapOf[lane.tier] as MinHeap<Lane>;
    heap.pop();
    lane.next++;
    if (assigned) {
      lane.goal.held++;
      lane.goal.version++;
    }
    if (lane.next < lane.tasks.length) push(heap, lane);
  }

  /** Tasks not offered yet, with their goal's share. */
  *remaining(): Generator<{ task: RoundTask; goal: GoalShare }> {
    for (const lane of this.lanes) {
      for (let i = lane.next; i < lane.tasks.length; i++) {
        yield { task: lane.tasks[i] as RoundTask, goal: lane.goal };
      }
    }
  }

  private share(id: string, goals: ReadonlyMap<string, RoundGoal> | undefined): GoalShare {
    const existing = this.goals.get(id);
    if (existing !== undefined) return existing;
    const g = goals?.get(id) ?? PLAIN_GOAL;
    const share = {
      id,
      held: g.leased,
      maxParallel: g.maxParallel,
      weight: Math.max(1, g.weight),
      version: 0,
    };
    this.goals.set(id, share);
    return share;
  }
}

function head(lane: Lane): RoundTask {
  return lane.tasks[lane.next] as RoundTask;
}

/** Pushes a lane with its goal's current share. */
function push(heap: MinHeap<Lane>, lane: Lane): void {
  lane.held = lane.goal.held;
  lane.version = lane.goal.version;
  heap.push(lane);
}

/** The tier's best lane, after dropping lanes of goals at their limit and refreshing stale ones. */
function validTop(heap: MinHeap<Lane>): Lane | undefined {
  for (;;) {
    const top = heap.peek();
    if (top === undefined) return undefined;
    if (atLimit(top.goal)) {
      heap.pop();
    } else if (top.version !== top.goal.version) {
      heap.pop();
      push(heap, top);
    } else {
      return top;
    }
  }
}
