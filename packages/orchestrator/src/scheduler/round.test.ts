import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priorityLevel } from '@kos/protocol';
import { compareReady, planRound, type RoundInput, type RoundPlan } from './round.ts';
import {
  comparePairs,
  scorePair,
  spendBreakers,
  type PairScore,
  type RoundAgent,
  type RoundTask,
} from './score.ts';
import { agent, policy, roundArb, task } from './testing.ts';

/**
 * The specification, slowly: at each step every tier offers the oldest task of its goal furthest
 * below its weighted share, the most urgent offer goes, and it takes the best of all scored agents.
 */
function naivePlan(input: RoundInput): RoundPlan {
  const agents = input.agents.map((a) => ({ ...a }));
  let clock = Math.max(0, ...agents.map((a) => a.lastAssignedAt + 1));
  const goal = (id: string) => input.goals?.get(id) ?? { leased: 0, maxParallel: null, weight: 1 };
  const held = new Map(input.tasks.map((t) => [t.goalId, goal(t.goalId).leased]));
  const share = (t: RoundTask) => (held.get(t.goalId) ?? 0) / goal(t.goalId).weight;
  const full = (id: string) => {
    const max = goal(id).maxParallel;
    return max !== null && (held.get(id) ?? 0) >= max;
  };
  const keyHeld = new Map(input.keyLeases ?? []);
  const free = () =>
    agents.reduce((n, a) => n + (a.state === 'active' ? Math.max(0, a.maxParallel - a.active) : 0), 0);
  const unassigned: RoundTask[] = [];
  const plan: RoundPlan = { assignments: [], unassigned: [], limited: { goalIds: [], keys: [] } };
  let left = [...input.tasks].sort(compareReady);
  while (free() > 0) {
    const open = left.filter((t) => !full(t.goalId));
    const offers = [0, 1, 2, 3].flatMap((level) => {
      const heads = open
        .filter((t) => priorityLevel(t.priority) === level)
        .filter((t, i, all) => all.findIndex((x) => x.goalId === t.goalId) === i);
      heads.sort((a, b) => share(a) - share(b) || compareReady(a, b));
      return heads.slice(0, 1);
    });
    const t = offers.sort(compareReady)[0];
    if (t === undefined) break;
    left = left.filter((x) => x !== t);
    if (t.concurrency !== null && (keyHeld.get(t.concurrency.key) ?? 0) >= t.concurrency.limit) {
      unassigned.push(t);
      continue;
    }
    const scores = agents
      .map((a) => scorePair(t, a, input.policy))
      .filter((s): s is PairScore => s.capable)
      .sort(comparePairs);
    const best = scores[0];
    if (best === undefined) {
      unassigned.push(t);
      continue;
    }
    plan.assignments.push({ taskId: t.id, agentId: best.agentId, score: best, candidates: scores.length });
    const chosen = agents.find((a) => a.id === best.agentId) as RoundAgent;
    chosen.active++;
    chosen.lastAssignedAt = clock++;
    chosen.breakers = spendBreakers(chosen.breakers, t.skills);
    held.set(t.goalId, (held.get(t.goalId) ?? 0) + 1);
    if (t.concurrency !== null) keyHeld.set(t.concurrency.key, (keyHeld.get(t.concurrency.key) ?? 0) + 1);
  }
  plan.unassigned = [...unassigned, ...left].sort(compareReady).map((t) => ({ taskId: t.id, reason: '' }));
  return plan;
}

function assigned(plan: RoundPlan): Record<string, string> {
  return Object.fromEntries(plan.assignments.map((a) => [a.taskId, a.agentId]));
}

describe('planRound', () => {
  it('gives each task the least loaded agent when trust and history are equal', () => {
    const plan = planRound({
      tasks: [task('t1')],
      agents: [agent('busy', { active: 1, maxParallel: 4 }), agent('idle', { active: 0, maxParallel: 4 })],
      policy: policy(),
    });
    expect(plan.assignments).toMatchObject([
      {
        taskId: 't1',
        agentId: 'idle',
        candidates: 2,
        score: { explanation: 'load 0/4, trust 1.00, history 0.50' },
      },
    ]);
  });

  it('spreads a burst over agents as their load grows', () => {
    const plan = planRound({
      tasks: ['t1', 't2', 't3', 't4'].map((id) => task(id)),
      agents: [agent('a1', { maxParallel: 2 }), agent('a2', { maxParallel: 2 })],
      policy: policy(),
    });
    expect(assigned(plan)).toEqual({ t1: 'a1', t2: 'a2', t3: 'a1', t4: 'a2' });
  });

  it('takes tasks in readyKey order so the most urgent get the last free slot', () => {
    const plan = planRound({
      tasks: [task('low', { readyKey: 90 }), task('critical', { readyKey: 10 })],
      agents: [agent('a1', { maxParallel: 1 })],
      policy: policy(),
    });
    expect(assigned(plan)).toEqual({ critical: 'a1' });
    expect(plan.unassigned).toEqual([
      { taskId: 'low', reason: 'no agent has a free slot left in this round' },
    ]);
  });

  it('skips a task no agent can take without blocking the tasks behind it', () => {
    const plan = planRound({
      tasks: [task('t1', { skills: ['gpu'], readyKey: 0 }), task('t2', { readyKey: 1 })],
      agents: [agent('a1')],
      policy: policy(),
    });
    expect(assigned(plan)).toEqual({ t2: 'a1' });
    expect(plan.unassigned).toEqual([{ taskId: 't1', reason: 'no agent has skills: gpu' }]);
  });

  it('gives an agent below the trust threshold experimental tasks only', () => {
    const agents = [agent('trusted', { maxParallel: 1 }), agent('novice', { trust: 0.1, maxParallel: 2 })];
    const tasks = [task('t1'), task('t2', { readyKey: 1 }), task('t3', { readyKey: 2, experimental: true })];
    const plan = planRound({ tasks, agents, policy: policy() });
    expect(assigned(plan)).toEqual({ t1: 'trusted', t3: 'novice' });
    expect(plan.unassigned).toEqual([
      {
        taskId: 't2',
        reason:
          'no capable agent with a free slot: 1 at capacity, 1 below the trust threshold (the task is not experimental)',
      },
    ]);
  });

  it('lets an agent below the trust threshold run ordinary tasks only as probes of a half-open breaker', () => {
    // One probe left on its agent breaker: it takes one ordinary task (the probe), not two.
    const probing = agent('novice', { trust: 0.1, maxParallel: 3, breakers: { '*': 1 } });
    const tasks = [task('t1'), task('t2', { readyKey: 1 })];
    expect(assigned(planRound({ tasks, agents: [probing], policy: policy() }))).toEqual({ t1: 'novice' });
    // An open breaker (no probe left) or none at all: no ordinary work below the threshold.
    for (const breakers of [{ '*': 0 }, undefined]) {
      const novice = agent('novice', { trust: 0.1, maxParallel: 3, breakers });
      expect(planRound({ tasks, agents: [novice], policy: policy() }).assignments).toEqual([]);
    }
  });

  it('retries a failed task on another agent and falls back to the same one only when none is free', () => {
    const failed = { lastAgentId: 'a1', lastFailed: true };
    const two = planRound({
      tasks: [task('t1', failed)],
      agents: [agent('a1'), agent('a2', { active: 1 })],
      policy: policy(),
    });
    expect(two.assignments[0]?.agentId).toBe('a2');
    const one = planRound({
      tasks: [task('t1', failed)],
      agents: [agent('a1'), agent('a2', { state: 'lost' })],
      policy: policy(),
    });
    expect(one.assignments[0]).toMatchObject({
      agentId: 'a1',
      score: { explanation: expect.stringContaining('fallback-only') },
    });
  });

  it('keeps a task bound to its last agent when cross-agent retries are disallowed', () => {
    const plan = planRound({
      tasks: [task('t1', { lastAgentId: 'a1' })],
      agents: [agent('a1', { active: 2, maxParallel: 2 }), agent('a2')],
      policy: policy({ allowCrossAgent: false }),
    });
    expect(plan.assignments).toEqual([]);
    expect(plan.unassigned).toEqual([
      { taskId: 't1', reason: 'bound to agent a1 (cross-agent disallowed): at capacity 2/2' },
    ]);
  });

  it('counts why no agent could take a task', () => {
    const plan = planRound({
      tasks: [task('t1', { skills: ['code', 'sql'] })],
      agents: [
        agent('a1', { skills: ['code'] }),
        agent('a2', { skills: ['code', 'sql'], state: 'draining' }),
        agent('a3'),
      ],
      policy: policy(),
    });
    expect(plan.unassigned[0]?.reason).toBe('no capable agent with a free slot: 1 not active');
  });

  it('picks exactly what scoring every pair in ready order would pick', () => {
    fc.assert(
      fc.property(roundArb, (input) => {
        const fast = planRound(input);
        const slow = naivePlan(input);
        expect(fast.assignments).toEqual(slow.assignments);
        expect(fast.unassigned.map((u) => u.taskId)).toEqual(slow.unassigned.map((u) => u.taskId));
      }),
      { numRuns: 500 },
    );
  });

  it('never gives an agent more tasks than its free slots', () => {
    fc.assert(
      fc.property(roundArb, (input) => {
        const plan = planRound(input);
        for (const a of input.agents) {
          const n = plan.assignments.filter((x) => x.agentId === a.id).length;
          expect(n).toBeLessThanOrEqual(Math.max(0, a.maxParallel - a.active));
        }
      }),
    );
  });

  it('assigns only active agents that hold every skill of the task and respect the cross-agent policy', () => {
    fc.assert(
      fc.property(roundArb, (input) => {
        for (const x of planRound(input).assignments) {
          const t = input.tasks.find((y) => y.id === x.taskId);
          const a = input.agents.find((y) => y.id === x.agentId);
          expect(a?.state).toBe('active');
          expect(t?.skills.every((s) => a?.skills.includes(s))).toBe(true);
          if (!input.policy.policies.allowCrossAgent && t?.lastAgentId != null)
            expect(a?.id).toBe(t.lastAgentId);
        }
      }),
    );
  });

  it('never leaves a task unassigned while a later task of its goal and tier needing no other skills got an agent', () => {
    fc.assert(
      fc.property(roundArb, (input) => {
        const plan = planRound(input);
        const got = new Set(plan.assignments.map((a) => a.taskId));
        // Skipped for a reason of its own: bound to one agent, or its concurrency key is full.
        const own = (t: RoundTask) =>
          (!input.policy.policies.allowCrossAgent && t.lastAgentId !== null) || t.concurrency !== null;
        for (const early of input.tasks) {
          if (got.has(early.id) || own(early)) continue;
          for (const late of input.tasks) {
            if (!got.has(late.id) || compareReady(early, late) >= 0) continue;
            if (late.goalId !== early.goalId || late.priority !== early.priority) continue;
            expect(early.skills.every((s) => late.skills.includes(s))).toBe(false);
          }
        }
      }),
    );
  });

  it('returns the same plan for the same tasks and agents in any order', () => {
    fc.assert(
      fc.property(
        roundArb.chain((input) =>
          fc.record({
            input: fc.constant(input),
            tasks: fc.shuffledSubarray(input.tasks, { minLength: input.tasks.length }),
            agents: fc.shuffledSubarray(input.agents, { minLength: input.agents.length }),
          }),
        ),
        ({ input, tasks, agents }) => {
          expect(planRound({ ...input, tasks, agents })).toEqual(planRound(input));
        },
      ),
    );
  });

  it('does not modify its input', () => {
    fc.assert(
      fc.property(roundArb, (input) => {
        const before = structuredClone(input);
        planRound(input);
        expect(input).toEqual(before);
      }),
    );
  });

  // Speed is the benchmark's business; this checks the large case plans correctly.
  it('plans 1,000 tasks over 1,000 agents sharing one skill, filling every slot once', () => {
    const agents = Array.from({ length: 1_000 }, (_, i) =>
      agent(`a${i}`, { maxParallel: 1 + (i % 3), trust: 0.5 + (i % 50) / 100, lastAssignedAt: i % 7 }),
    );
    const tasks = Array.from({ length: 1_000 }, (_, i) => task(`t${i}`, { readyKey: (i * 7) % 1_000 }));
    const plan = planRound({ tasks, agents, policy: policy() });
    expect(plan.assignments).toHaveLength(1_000);
    expect(new Set(plan.assignments.map((a) => a.taskId)).size).toBe(1_000);
    // Least-loaded first: with 1,000 idle agents and 1,000 tasks, every agent gets exactly one.
    expect(new Set(plan.assignments.map((a) => a.agentId)).size).toBe(1_000);
  });
});

describe('planRound: bulkheads and fairness between goals', () => {
  const slots = (n: number) => [agent('a1', { maxParallel: n })];
  const backlog = (goalId: string, n: number, from = 0, over: Partial<RoundTask> = {}) =>
    Array.from({ length: n }, (_, i) =>
      task(`${goalId}-${String(i).padStart(3, '0')}`, { goalId, readyKey: from + i, ...over }),
    );
  const count = (plan: RoundPlan, goalId: string) =>
    plan.assignments.filter((a) => a.taskId.startsWith(`${goalId}-`)).length;

  it('shares a tier between two goals of equal weight, even when one goal queued all its tasks first', () => {
    const plan = planRound({
      tasks: [...backlog('early', 10, 0), ...backlog('late', 10, 100)],
      agents: slots(6),
      policy: policy(),
    });
    expect(count(plan, 'early')).toBe(3);
    expect(count(plan, 'late')).toBe(3);
    // Within a goal the ready-queue order holds.
    expect(plan.assignments.map((a) => a.taskId).filter((id) => id.startsWith('early'))).toEqual([
      'early-000',
      'early-001',
      'early-002',
    ]);
  });

  it('gives a goal of weight 3 three times the slots of a goal of weight 1', () => {
    const plan = planRound({
      tasks: [...backlog('heavy', 100, 50), ...backlog('light', 100, 0)],
      agents: slots(40),
      policy: policy(),
      goals: new Map([
        ['heavy', { leased: 0, maxParallel: null, weight: 3 }],
        ['light', { leased: 0, maxParallel: null, weight: 1 }],
      ]),
    });
    expect(count(plan, 'heavy')).toBe(30);
    expect(count(plan, 'light')).toBe(10);
  });

  it('counts the leases a goal holds already: a goal with running work yields to one without', () => {
    const plan = planRound({
      tasks: [...backlog('busy', 5, 0), ...backlog('idle', 5, 10)],
      agents: slots(4),
      policy: policy(),
      goals: new Map([['busy', { leased: 3, maxParallel: null, weight: 1 }]]),
    });
    // idle catches up to busy's 3, then the tie goes to the goal with the older head task.
    expect(count(plan, 'idle')).toBe(3);
    expect(count(plan, 'busy')).toBe(1);
  });

  it('keeps the priority tiers first: fairness never moves a goal ahead of a more urgent tier', () => {
    const plan = planRound({
      tasks: [
        ...backlog('bulk', 5, 0, { priority: 'low', readyKey: 500 }).map((t, i) => ({
          ...t,
          readyKey: 500 + i,
        })),
        task('urgent-0', { goalId: 'urgent', priority: 'critical', readyKey: 10 }),
        task('urgent-1', { goalId: 'urgent', priority: 'critical', readyKey: 11 }),
      ],
      agents: slots(2),
      policy: policy(),
      goals: new Map([['bulk', { leased: 0, maxParallel: null, weight: 1000 }]]),
    });
    expect(plan.assignments.map((a) => a.taskId)).toEqual(['urgent-0', 'urgent-1']);
  });

  it('never leases more of a goal than its maxParallel, and says why the rest wait', () => {
    const plan = planRound({
      tasks: [...backlog('capped', 5, 0), ...backlog('free', 3, 100)],
      agents: slots(10),
      policy: policy(),
      goals: new Map([['capped', { leased: 1, maxParallel: 3, weight: 1 }]]),
    });
    expect(count(plan, 'capped')).toBe(2);
    // The capped goal's waiting tasks do not block the tasks behind them.
    expect(count(plan, 'free')).toBe(3);
    expect(plan.unassigned).toEqual(
      ['capped-002', 'capped-003', 'capped-004'].map((taskId) => ({
        taskId,
        reason: 'goal capped is at its limit of 3 leased tasks',
      })),
    );
    expect(plan.limited).toEqual({ goalIds: ['capped'], keys: [] });
  });

  it('caps a concurrency key across goals, counting the leases it holds already', () => {
    const db = { key: 'db', limit: 3 };
    const plan = planRound({
      tasks: [
        ...backlog('g1', 3, 0, { concurrency: db }),
        ...backlog('g2', 3, 10, { concurrency: db }),
        task('g2-plain', { goalId: 'g2', readyKey: 20 }),
      ],
      agents: slots(10),
      policy: policy(),
      keyLeases: new Map([['db', 1]]),
    });
    expect(plan.assignments.map((a) => a.taskId).sort()).toEqual(['g1-000', 'g2-000', 'g2-plain']);
    expect(plan.unassigned[0]).toEqual({
      taskId: 'g1-001',
      reason: 'concurrency key db is at its limit of 3 leased tasks',
    });
    expect(plan.limited).toEqual({ goalIds: [], keys: ['db'] });
  });

  /** One skill, every agent free and able, no retries: every offered task gets an agent. */
  const backlogArb = fc
    .record({
      goals: fc.uniqueArray(
        fc.record({
          id: fc.constantFrom('g1', 'g2', 'g3', 'g4'),
          leased: fc.nat(4),
          weight: fc.integer({ min: 1, max: 5 }),
        }),
        { selector: (g) => g.id, minLength: 2, maxLength: 4 },
      ),
      capacities: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }),
    })
    .map(({ goals, capacities }): RoundInput & { weights: Map<string, number> } => {
      const agents = capacities.map((c, i) => agent(`a${i}`, { maxParallel: c }));
      const free = capacities.reduce((a, b) => a + b, 0);
      return {
        agents,
        policy: policy(),
        tasks: goals.flatMap((g, k) => backlog(g.id, free + 1, k * 7)),
        goals: new Map(goals.map((g) => [g.id, { leased: g.leased, maxParallel: null, weight: g.weight }])),
        weights: new Map(goals.map((g) => [g.id, g.weight])),
      };
    });

  it('keeps every goal with backlog within one slot of its weighted share of every other', () => {
    fc.assert(
      fc.property(backlogArb, (input) => {
        const plan = planRound(input);
        const held = new Map([...(input.goals ?? [])].map(([id, g]) => [id, g.leased + count(plan, id)]));
        // A goal took its last slot while its held/weight was at most every other goal's.
        for (const [i, ni] of held) {
          if (count(plan, i) === 0) continue;
          for (const [j, nj] of held) {
            const wi = input.weights.get(i) ?? 1;
            const wj = input.weights.get(j) ?? 1;
            expect((ni - 1) * wj).toBeLessThanOrEqual(nj * wi);
          }
        }
      }),
    );
  });

  it('gives two goals of equal weight and no leases shares that differ by at most one', () => {
    fc.assert(
      fc.property(
        backlogArb.map((input) => ({
          ...input,
          goals: new Map(
            [...(input.goals ?? [])].map(([id]) => [id, { leased: 0, maxParallel: null, weight: 1 }]),
          ),
        })),
        (input) => {
          const plan = planRound(input);
          const shares = [...(input.goals ?? new Map()).keys()].map((id) => count(plan, id));
          expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('gives a goal of weight 3 about three times the slots of a goal of weight 1 whatever the capacity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.boolean(), (free, heavyFirst) => {
        const plan = planRound({
          tasks: [...backlog('heavy', free + 1, heavyFirst ? 0 : 500), ...backlog('light', free + 1, 250)],
          agents: slots(free),
          policy: policy(),
          goals: new Map([
            ['heavy', { leased: 0, maxParallel: null, weight: 3 }],
            ['light', { leased: 0, maxParallel: null, weight: 1 }],
          ]),
        });
        const [heavy, light] = [count(plan, 'heavy'), count(plan, 'light')];
        expect(heavy + light).toBe(free);
        expect(heavy).toBeGreaterThanOrEqual(3 * light - 3);
        expect(heavy).toBeLessThanOrEqual(3 * light + 1);
      }),
    );
  });

  it('never exceeds the limit of a goal or a concurrency key, nor an agent capacity', () => {
    fc.assert(
      fc.property(roundArb, (input) => {
        const plan = planRound(input);
        const byId = new Map(input.tasks.map((t) => [t.id, t]));
        const got = plan.assignments.map((a) => byId.get(a.taskId) as RoundTask);
        for (const [id, g] of input.goals) {
          const n = got.filter((t) => t.goalId === id).length;
          if (g.maxParallel !== null) expect(n).toBeLessThanOrEqual(Math.max(0, g.maxParallel - g.leased));
        }
        // Each task's own limit holds when it is leased (assignments are in the order made).
        const keyHeld = new Map(input.keyLeases);
        for (const t of got) {
          if (t.concurrency === null) continue;
          const n = keyHeld.get(t.concurrency.key) ?? 0;
          expect(n).toBeLessThan(t.concurrency.limit);
          keyHeld.set(t.concurrency.key, n + 1);
        }
        for (const a of input.agents) {
          const n = plan.assignments.filter((x) => x.agentId === a.id).length;
          expect(n).toBeLessThanOrEqual(Math.max(0, a.maxParallel - a.active));
        }
      }),
      { numRuns: 300 },
    );
  });
});
