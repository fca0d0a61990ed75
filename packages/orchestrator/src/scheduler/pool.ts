import { MinHeap } from './heap.ts';
import {
  breakersAllow,
  historyScore,
  spendBreakers,
  TIER_FALLBACK_ONLY,
  trustAllows,
  type RoundAgent,
  type RoundTask,
  type SchedulingPolicy,
} from './score.ts';

/** A snapshot of one agent's rank for one skill set; stale once the agent's `version` moves on. */
interface Entry {
  i: number;
  version: number;
  tier: number;
  free: number;
  trust: number;
  history: number;
  lastAssignedAt: number;
  idRank: number;
}

/** comparePairs on snapshots: true if `a` ranks strictly before `b`. */
function before(a: Entry, b: Entry): boolean {
  if (a.tier !== b.tier) return a.tier < b.tier;
  if (a.free !== b.free) return a.free > b.free;
  if (a.trust !== b.trust) return a.trust > b.trust;
  if (a.history !== b.history) return a.history > b.history;
  if (a.lastAssignedAt !== b.lastAssignedAt) return a.lastAssignedAt < b.lastAssignedAt;
  return a.idRank < b.idRank;
}

/** What decides which agents may take a task, besides capacity. */
type Eligible = { skills: readonly string[] } & Pick<RoundTask, 'experimental'>;

/**
 * The capable agents of one skill set (experimental or not: untrusted agents take only
 * experimental tasks), best first, and how many of them can still take one more of its tasks.
 */
interface Pool {
  skills: readonly string[];
  experimental: boolean;
  heap: MinHeap<Entry>;
  live: number;
}

/**
 * The agents of one round, with their free slots, ranked per task skill set.
 *
 * Why heaps: scanning every capable agent per task is O(tasks × agents): 1,000 tasks × 1,000 agents
 * sharing one skill took 50–90 ms per round on this 2-core box, the heaps take 2–5 ms (warm JIT). Tasks with the same skill list rank agents the same way
 * (only the one fallback-only agent of a task differs), so each skill list gets a heap built once
 * from the agents holding its rarest skill. An assignment only ever makes an agent rank worse (less
 * free, more recently assigned), so its old heap entries are refreshed lazily when they surface.
 */
export class AgentPools {
  readonly agents: RoundAgent[];
  readonly skillSets: Set<string>[];
  /** Free slots left across all agents that may take work. */
  freeSlots = 0;
  private readonly version: Uint32Array;
  private readonly idRank: Int32Array;
  private readonly indexById: Map<string, number>;
  private readonly openBySkill = new Map<string, number[]>();
  private readonly open: number[] = [];
  private readonly pools = new Map<string, Pool>();
  private readonly poolsOf: Pool[][];
  private rotationClock = 0;

  constructor(
    agents: readonly RoundAgent[],
    private readonly policy: SchedulingPolicy,
  ) {
    this.agents = agents.map((a) => ({ ...a }));
    this.skillSets = this.agents.map((a) => new Set(a.skills));
    this.version = new Uint32Array(agents.length);
    this.idRank = rankIds(this.agents);
    this.indexById = new Map(this.agents.map((a, i) => [a.id, i]));
    this.poolsOf = this.agents.map(() => []);
    this.agents.forEach((a, i) => {
      this.rotationClock = Math.max(this.rotationClock, a.lastAssignedAt + 1);
      if (a.state !== 'active' || a.active >= a.maxParallel) return;
      this.freeSlots += a.maxParallel - a.active;
      this.open.push(i);
      for (const skill of this.skillSets[i] ?? []) {
        const list = this.openBySkill.get(skill);
        if (list === undefined) this.openBySkill.set(skill, [i]);
        else list.push(i);
      }
    });
  }

  /** The best capable agent with a free slot for `task` and how many competed, or null. */
  pick(task: RoundTask): { index: number; candidates: number } | null {
    const { policies } = this.policy;
    const excluded = this.indexesOf(task.excludedAgents);
    if (!policies.allowCrossAgent && task.lastAgentId !== null) {
      const i = this.indexById.get(task.lastAgentId);
      return i !== undefined && !excluded.has(i) && this.canTake(i, task)
        ? { index: i, candidates: 1 }
        : null;
    }
    const pool = this.poolFor(task);
    const candidates = pool.live - this.liveIn(pool, excluded);
    // An agent a delegation named takes the task whenever it can.
    const named = task.preferredAgent ? this.indexById.get(task.preferredAgent) : undefined;
    if (named !== undefined && !excluded.has(named) && this.canTake(named, task)) {
      return { index: named, candidates };
    }
    const top = this.topFor(pool, excluded);
    if (top === undefined) return null;
    const fallback =
      policies.fallbackOnError && task.lastFailed && task.lastAgentId !== null
        ? this.indexById.get(task.lastAgentId)
        : undefined;
    if (top.i !== fallback) return { index: top.i, candidates };
    // The top agent failed this task last time: it runs it only if no agent of a better tier is free.
    // The runner-up is looked up past it by topFor, which restores the heap: `top` need not be the
    // heap's root (excluded agents may rank above it), so popping the root here would drop one.
    const next = this.topFor(pool, new Set([...excluded, top.i]));
    const demoted = { ...top, tier: top.tier + TIER_FALLBACK_ONLY };
    const index = next !== undefined && before(next, demoted) ? next.i : top.i;
    return { index, candidates };
  }

  /** Gives agent `i` one more lease of this round: a slot, and a probe of each half-open breaker it passes. */
  assign(i: number, task: Pick<RoundTask, 'skills'>): void {
    const agent = this.agents[i] as RoundAgent;
    agent.active++;
    agent.lastAssignedAt = this.rotationClock++;
    this.version[i] = (this.version[i] as number) + 1;
    this.freeSlots--;
    const budgets = agent.breakers;
    agent.breakers = spendBreakers(budgets, task.skills);
    if (agent.active < agent.maxParallel && agent.breakers === budgets) return;
    // It left the pools it can no longer serve (all of them once full).
    this.poolsOf[i] = (this.poolsOf[i] ?? []).filter((pool) => {
      const stays = this.fits(i, pool);
      if (!stays) pool.live--;
      return stays;
    });
  }

  private canTake(i: number, task: Eligible): boolean {
    const agent = this.agents[i] as RoundAgent;
    return (
      agent.state === 'active' &&
      hasSkills(this.skillSets[i], task.skills) &&
      trustAllows(task, agent, this.policy) &&
      this.fits(i, task)
    );
  }

  /** What an assignment can change: a free slot, and the breakers of these skills letting one more through. */
  private fits(i: number, pool: Pick<Pool, 'skills'>): boolean {
    const agent = this.agents[i] as RoundAgent;
    return agent.active < agent.maxParallel && breakersAllow(agent, pool.skills);
  }

  private poolFor(task: Eligible): Pool {
    const { skills } = task;
    const experimental = task.experimental === true;
    const key = experimental ? `x${JSON.stringify(skills)}` : JSON.stringify(skills);
    const existing = this.pools.get(key);
    if (existing !== undefined) return existing;
    const pool: Pool = { skills, experimental, heap: new MinHeap(before), live: 0 };
    for (const i of this.rarestOpenList(skills)) {
      if (!this.canTake(i, pool)) continue;
      pool.heap.push(this.snapshot(i, skills));
      pool.live++;
      this.poolsOf[i]?.push(pool);
    }
    this.pools.set(key, pool);
    return pool;
  }

  private rarestOpenList(skills: readonly string[]): readonly number[] {
    let rarest: readonly number[] = this.open;
    for (const skill of skills) {
      const list = this.openBySkill.get(skill);
      if (list === undefined) return [];
      if (list.length < rarest.length) rarest = list;
    }
    return rarest;
  }

  private indexesOf(ids: readonly string[] | undefined): ReadonlySet<number> {
    if (ids === undefined || ids.length === 0) return NONE;
    const out = new Set<number>();
    for (const id of ids) {
      const i = this.indexById.get(id);
      if (i !== undefined) out.add(i);
    }
    return out;
  }

  /** How many of these agents are in the pool with a free slot. */
  private liveIn(pool: Pool, indexes: ReadonlySet<number>): number {
    let n = 0;
    for (const i of indexes) {
      const agent = this.agents[i] as RoundAgent;
      if (agent.active < agent.maxParallel && this.poolsOf[i]?.includes(pool)) n++;
    }
    return n;
  }

  /** The pool's best entry not in `excluded`: excluded entries are set aside, then put back. */
  private topFor(pool: Pool, excluded: ReadonlySet<number>): Entry | undefined {
    let top = this.validTop(pool);
    if (excluded.size === 0) return top;
    const aside: Entry[] = [];
    while (top !== undefined && excluded.has(top.i)) {
      aside.push(pool.heap.pop() as Entry);
      top = this.validTop(pool);
    }
    for (const entry of aside) pool.heap.push(entry);
    return top;
  }

  /** The pool's best entry, after dropping agents that left it and refreshing stale snapshots. */
  private validTop(pool: Pool): Entry | undefined {
    for (;;) {
      const top = pool.heap.peek();
      if (top === undefined) return undefined;
      if (!this.fits(top.i, pool)) {
        pool.heap.pop();
      } else if (top.version !== this.version[top.i]) {
        pool.heap.pop();
        pool.heap.push(this.snapshot(top.i, pool.skills));
      } else {
        return top;
      }
    }
  }

  private snapshot(i: number, skills: readonly string[]): Entry {
    const a = this.agents[i] as RoundAgent;
    return {
      i,
      version: this.version[i] as number,
      tier: 0,
      free: freeRatioOf(a),
      trust: a.trust,
      history: historyScore(skills, a.stats),
      lastAssignedAt: a.lastAssignedAt,
      idRank: this.idRank[i] as number,
    };
  }
}

const NONE: ReadonlySet<number> = new Set();

/** Must match pairParts' free ratio exactly, or heap order and reported parts would disagree. */
function freeRatioOf(a: RoundAgent): number {
  const free = a.maxParallel > 0 ? (a.maxParallel - a.active) / a.maxParallel : 0;
  return Math.min(1, Math.max(0, free));
}

function hasSkills(agentSkills: Set<string> | undefined, skills: readonly string[]): boolean {
  if (agentSkills === undefined) return false;
  for (const s of skills) if (!agentSkills.has(s)) return false;
  return true;
}

/** Agent id order as numbers, for the final tie-break. */
function rankIds(agents: readonly RoundAgent[]): Int32Array {
  const order = agents
    .map((_, i) => i)
    .sort((x, y) => {
      const a = (agents[x] as RoundAgent).id;
      const b = (agents[y] as RoundAgent).id;
      return a < b ? -1 : a > b ? 1 : 0;
    });
  const rank = new Int32Array(agents.length);
  order.forEach((agentIndex, r) => (rank[agentIndex] = r));
  return rank;
}
