import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRound, type RoundInput, type RoundPlan } from './round.ts';
import type { RoundTask } from './score.ts';
import { agent, policy, roundArb, task } from './testing.ts';

/** Bulkheads (per-goal and per-key limits) and weighted fairness between goals in one round. */
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
        code: 'goal_limit',
        reason: 'goal capped is at its limit of 3 leased tasks (max_parallel_tasks)',
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
      code: 'concurrency_limit',
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
