import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePairs, historyScore, pairValue, scorePair, type PairScore } from './score.ts';
import { agent, policy, roundArb, task } from './testing.ts';

function capable(s: ReturnType<typeof scorePair>): PairScore {
  if (!s.capable) throw new Error(`expected a capable pair, got: ${s.reason}`);
  return s;
}

describe('scorePair', () => {
  it('explains the score in one short line', () => {
    const a = agent('a1', {
      active: 1,
      maxParallel: 5,
      trust: 0.92,
      stats: { code: { succeeded: 4, failed: 0, totalMs: 0 } },
    });
    const s = capable(scorePair(task('t1'), a, policy()));
    expect(s.explanation).toBe('load 1/5, trust 0.92, history 0.83');
    expect(s.parts).toEqual({ freeRatio: 0.8, trust: 0.92, history: 5 / 6, tier: 0, lastAssignedAt: 0 });
    expect(s.value).toBeCloseTo((3 + 0.6 * 0.8 + 0.25 * 0.92 + 0.15 * (5 / 6)) / 4, 12);
  });

  it('names the missing skills of an agent that lacks some', () => {
    const s = scorePair(
      task('t1', { skills: ['code', 'sql', 'rust'] }),
      agent('a1', { skills: ['code'] }),
      policy(),
    );
    expect(s).toEqual({ capable: false, agentId: 'a1', reason: 'missing skills: sql, rust' });
  });

  it('rejects an agent at capacity unless capacity is ignored', () => {
    const full = agent('a1', { active: 2, maxParallel: 2 });
    expect(scorePair(task('t1'), full, policy())).toEqual({
      capable: false,
      agentId: 'a1',
      reason: 'at capacity 2/2',
    });
    const s = capable(scorePair(task('t1'), full, policy(), { ignoreCapacity: true }));
    expect(s.parts.freeRatio).toBe(0);
    expect(s.value).toBeGreaterThan(0);
  });

  it('rejects an agent that is not active', () => {
    expect(scorePair(task('t1'), agent('a1', { state: 'draining' }), policy())).toEqual({
      capable: false,
      agentId: 'a1',
      reason: 'not active: draining',
    });
  });

  it('binds a retried task to its last agent when cross-agent retries are disallowed', () => {
    const t = task('t1', { lastAgentId: 'a1', lastFailed: true });
    const p = policy({ allowCrossAgent: false });
    expect(scorePair(t, agent('a2'), p)).toMatchObject({
      capable: false,
      reason: expect.stringContaining('cross-agent'),
    });
    const own = capable(scorePair(t, agent('a1'), p));
    expect(own.parts.tier).toBe(0); // the only possible agent is not demoted to fallback
  });

  it('marks the agent of a failed attempt fallback-only when fallbackOnError is set', () => {
    const t = task('t1', { lastAgentId: 'a1', lastFailed: true });
    const s = capable(scorePair(t, agent('a1'), policy({ fallbackOnError: true })));
    expect(s.parts.tier).toBe(1);
    expect(s.explanation).toMatch(/, fallback-only$/);
    expect(capable(scorePair(t, agent('a1'), policy({ fallbackOnError: false }))).parts.tier).toBe(0);
    expect(capable(scorePair({ ...t, lastFailed: false }, agent('a1'), policy())).parts.tier).toBe(0);
  });

  it('takes an agent below the trust threshold for experimental tasks only', () => {
    const novice = agent('a1', { trust: 0.3 });
    expect(scorePair(task('t1'), novice, policy({ trustThreshold: 0.5 }))).toEqual({
      capable: false,
      agentId: 'a1',
      reason: 'trust 0.30 is below the threshold and the task is not experimental',
    });
    const s = capable(scorePair(task('t1', { experimental: true }), novice, policy({ trustThreshold: 0.5 })));
    expect(s.parts.tier).toBe(0);
    expect(capable(scorePair(task('t1'), agent('a2', { trust: 0.5 }), policy({ trustThreshold: 0.5 }))));
  });

  it('refuses an agent whose own or skill breaker lets nothing through, and names the breakers', () => {
    const t = task('t1', { skills: ['code', 'sql'] });
    const skillOpen = agent('a1', { skills: ['code', 'sql'], breakers: { sql: 0, code: 1 } });
    expect(scorePair(t, skillOpen, policy())).toEqual({
      capable: false,
      agentId: 'a1',
      reason: 'circuit breaker open: sql',
    });
    const agentOpen = agent('a2', { skills: ['code', 'sql'], breakers: { '*': 0 } });
    expect(scorePair(t, agentOpen, policy())).toMatchObject({ reason: 'circuit breaker open: *' });
    // A half-open breaker with a probe left, or one for another skill, does not stand in the way.
    const probing = agent('a3', { skills: ['code', 'sql'], breakers: { '*': 1, code: 1, rust: 0 } });
    expect(scorePair(t, probing, policy()).capable).toBe(true);
  });

  it('averages Laplace-smoothed success rates over the task skills', () => {
    const stats = { a: { succeeded: 3, failed: 1, totalMs: 0 } };
    expect(historyScore(['a', 'b'], stats)).toBeCloseTo((4 / 6 + 1 / 2) / 2, 12);
    expect(historyScore([], stats)).toBe(0.5);
  });

  it('gives every capable pair a value in (0, 1]', () => {
    fc.assert(
      fc.property(roundArb, fc.boolean(), ({ agents, tasks, policy: p }, ignoreCapacity) => {
        for (const t of tasks)
          for (const a of agents) {
            const s = scorePair(t, a, p, { ignoreCapacity });
            if (!s.capable) continue;
            expect(s.value).toBeGreaterThan(0);
            expect(s.value).toBeLessThanOrEqual(1);
          }
      }),
    );
  });

  it('never gives a lower value to a pair that ranks better by tier or by every part', () => {
    const partsArb = fc.record({
      freeRatio: fc.double({ min: 0, max: 1, noNaN: true }),
      trust: fc.double({ min: 0, max: 1, noNaN: true }),
      history: fc.double({ min: 0.01, max: 1, noNaN: true }),
      tier: fc.integer({ min: 0, max: 3 }),
      lastAssignedAt: fc.nat(),
    });
    fc.assert(
      fc.property(partsArb, partsArb, (a, b) => {
        const dominates = a.freeRatio >= b.freeRatio && a.trust >= b.trust && a.history >= b.history;
        if (a.tier < b.tier) {
          expect(comparePairs({ agentId: 'a', parts: a }, { agentId: 'b', parts: b })).toBeLessThan(0);
          expect(pairValue(a)).toBeGreaterThan(pairValue(b));
        }
        if (a.tier === b.tier && dominates) expect(pairValue(a)).toBeGreaterThanOrEqual(pairValue(b));
      }),
    );
  });
});

describe('comparePairs', () => {
  it('ranks least loaded, then trust, then history, then least recently assigned, then id', () => {
    const p = policy({ trustThreshold: 0 });
    const t = task('t1');
    const scores = [
      agent('e', { active: 1 }),
      agent('d', { trust: 0.8 }),
      agent('c', { trust: 0.9, stats: { code: { succeeded: 0, failed: 3, totalMs: 0 } } }),
      agent('b', { trust: 0.9, lastAssignedAt: 5 }),
      agent('a2', { trust: 0.9 }),
      agent('a1', { trust: 0.9 }),
    ].map((a) => capable(scorePair(t, a, p)));
    expect([...scores].sort(comparePairs).map((s) => s.agentId)).toEqual(['a1', 'a2', 'b', 'c', 'd', 'e']);
  });
});
