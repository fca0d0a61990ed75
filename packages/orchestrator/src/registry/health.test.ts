import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agent as agentRecord, task as taskRecord } from '../records.fixture.ts';
import type { Agent } from './agent.ts';
import { newAgentHealth } from './agent.ts';
import {
  afterLeases,
  afterOutcome,
  breakerBudgets,
  quarantineDue,
  trustNow,
  type AttemptOutcome,
  type HealthConfig,
} from './health.ts';

const cfg: HealthConfig = {
  breaker: { failureThreshold: 2, cooldownMs: 1000, halfOpenProbes: 1 },
  lifecycle: { quarantineThreshold: 5, maxCrashes: 3 },
  security: {
    trustThreshold: 0.7,
    trustNeutral: 0.8,
    trustHalfLifeMs: 10_000,
    auditAllActions: true,
    sessionTtlMs: 3_600_000,
    sessionSecret: '',
  },
};
const fresh = (): Agent =>
  agentRecord({ skills: ['s', 't'], trust: 1, stats: {}, health: newAgentHealth(0) });
/** An attempt of skill `s` leased at 0 with a 1 s estimate. */
const attempt = taskRecord('g', { skills: ['s'], leasedAt: 0, estimatedDurationMs: 1000 });

describe('afterOutcome', () => {
  it('gives a late success less trust than a timely one, and both more than none', () => {
    const start = { ...fresh(), trust: 0.5 };
    // Both reported at 5 s: one leased at 4 s (1 s, on time), one at 0 (5 s, over twice its 1 s estimate).
    const timely = afterOutcome(start, { ...attempt, leasedAt: 4000 }, 'succeeded', 5000, cfg);
    const late = afterOutcome(start, attempt, 'succeeded', 5000, cfg);
    expect(timely.trust).toBeGreaterThan(late.trust);
    expect(late.trust).toBeGreaterThan(trustNow(start, 5000, cfg));
  });

  it('counts the leases lost on one occasion as one crash and one failure', () => {
    let a = fresh();
    for (let i = 0; i < 4; i++) a = afterOutcome(a, attempt, 'lost', 100, cfg);
    expect(a.health).toMatchObject({ crashes: 1, consecutiveFailures: 1 });
    expect(a.stats['s']?.failed).toBe(4); // per-skill history still sees every lease
    a = afterOutcome(a, attempt, 'lost', 200, cfg);
    expect(a.health).toMatchObject({ crashes: 2, consecutiveFailures: 2 });
    a = afterOutcome(a, attempt, 'succeeded', 300, cfg);
    expect(a.health).toMatchObject({ crashes: 0, consecutiveFailures: 0 });
  });

  it('opens the agent and skill breakers together, and frees a probe when a lease is only returned', () => {
    let a = fresh();
    a = afterOutcome(a, attempt, 'failed', 0, cfg);
    a = afterOutcome(a, attempt, 'timed_out', 10, cfg);
    expect(Object.keys(a.health.breakers).sort()).toEqual(['*', 's']);
    expect(breakerBudgets(a, 500, cfg)).toEqual({ '*': 0, s: 0 });
    const probing = afterLeases(a, [attempt], 1010, cfg);
    expect(breakerBudgets(probing, 1010, cfg)).toEqual({ '*': 0, s: 0 });
    const returned = afterOutcome(probing, attempt, 'returned', 1020, cfg);
    expect(breakerBudgets(returned, 1020, cfg)).toEqual({ '*': 1, s: 1 });
    expect(returned.trust).toBe(trustNow(probing, 1020, cfg));
    expect(returned.stats).toEqual(probing.stats);
    // A task of another skill passes only the agent's own breaker.
    const other = taskRecord('g', { skills: ['t'] });
    expect(afterLeases(returned, [other], 1030, cfg).health.breakers['s']).toEqual(
      returned.health.breakers['s'],
    );
  });

  it('calls for quarantine at max_crashes or the quarantine threshold, crashes first', () => {
    const h = newAgentHealth(0);
    expect(quarantineDue({ ...h, consecutiveFailures: 4, crashes: 2 }, cfg)).toBeNull();
    expect(quarantineDue({ ...h, consecutiveFailures: 5 }, cfg)?.trigger).toBe('consecutive_failures');
    expect(quarantineDue({ ...h, consecutiveFailures: 5, crashes: 3 }, cfg)?.trigger).toBe('crashes');
  });
});

const stepArb = fc.tuple(
  fc.constantFrom<AttemptOutcome | 'lease'>('succeeded', 'failed', 'lost', 'timed_out', 'returned', 'lease'),
  fc.constantFrom(['s'], ['t'], ['s', 't']),
  fc.nat(3000),
);

describe('agent health over random histories', () => {
  it('keeps trust in [0, 1], never raises it on a failure, and never lets more probes out than allowed', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 80 }), (steps) => {
        let a = fresh();
        let now = 0;
        for (const [step, skills, idle] of steps) {
          now += idle;
          const t = taskRecord('g', { skills: [...skills], leasedAt: now - idle, estimatedDurationMs: 1000 });
          if (step === 'lease') {
            const budgets = breakerBudgets(a, now, cfg);
            if (['*', ...skills].some((k) => (budgets[k] ?? 1) <= 0)) continue;
            a = afterLeases(a, [t], now, cfg);
          } else {
            const before = trustNow(a, now, cfg);
            a = afterOutcome(a, t, step, now, cfg);
            if (step !== 'succeeded') expect(a.trust).toBeLessThanOrEqual(before);
            else expect(a.trust).toBeGreaterThanOrEqual(before);
          }
          expect(a.trust).toBeGreaterThanOrEqual(0);
          expect(a.trust).toBeLessThanOrEqual(1);
          for (const b of Object.values(a.health.breakers)) {
            expect(b.probes).toBeLessThanOrEqual(cfg.breaker.halfOpenProbes);
          }
        }
      }),
    );
  });
});
