import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breakerAllows,
  breakerAt,
  breakerBudget,
  CLOSED_BREAKER,
  onLease,
  onOutcome,
  type BreakerConfig,
  type BreakerState,
} from './breaker.ts';

const cfg: BreakerConfig = { failureThreshold: 3, cooldownMs: 1000, halfOpenProbes: 1 };

function run(b: BreakerState, steps: readonly ('success' | 'failure')[], now: number): BreakerState {
  return steps.reduce((s, o) => onOutcome(s, o, now, cfg), b);
}

describe('circuit breaker', () => {
  it('opens on the threshold-th consecutive failure, and a success in between resets the count', () => {
    const two = run(CLOSED_BREAKER, ['failure', 'failure'], 0);
    expect(two).toMatchObject({ state: 'closed', failures: 2 });
    expect(run(two, ['success'], 0)).toEqual(CLOSED_BREAKER);
    expect(run(two, ['failure'], 5)).toEqual({ state: 'open', failures: 3, openedAt: 5, probes: 0 });
  });

  it('lets nothing through while cooling down, then one probe once half-open', () => {
    const open = run(CLOSED_BREAKER, ['failure', 'failure', 'failure'], 0);
    expect(breakerAllows(open, 999, cfg)).toBe(false);
    expect(breakerAt(open, 1000, cfg).state).toBe('half_open');
    expect(breakerBudget(open, 1000, cfg)).toBe(1);
    const probing = onLease(open, 1000, cfg);
    expect(probing).toMatchObject({ state: 'half_open', probes: 1 });
    expect(breakerAllows(probing, 5000, cfg)).toBe(false);
  });

  it('closes on a probe success and opens again, for a full cool-down, on a probe failure', () => {
    const probing = onLease(run(CLOSED_BREAKER, ['failure', 'failure', 'failure'], 0), 1000, cfg);
    expect(onOutcome(probing, 'success', 1500, cfg)).toEqual(CLOSED_BREAKER);
    const reopened = onOutcome(probing, 'failure', 1500, cfg);
    expect(reopened).toMatchObject({ state: 'open', openedAt: 1500, probes: 0 });
    expect(breakerAllows(reopened, 2499, cfg)).toBe(false);
    expect(breakerAllows(reopened, 2500, cfg)).toBe(true);
  });

  it('gives a probe slot back when its lease ends without a result of the agent making', () => {
    const probing = onLease(run(CLOSED_BREAKER, ['failure', 'failure', 'failure'], 0), 1000, cfg);
    const freed = onOutcome(probing, 'released', 1200, cfg);
    expect(freed).toMatchObject({ state: 'half_open', probes: 0 });
    expect(breakerAllows(freed, 1200, cfg)).toBe(true);
  });

  it('ignores results of older leases while open, and a success before any probe while half-open', () => {
    const open = run(CLOSED_BREAKER, ['failure', 'failure', 'failure'], 0);
    expect(onOutcome(open, 'success', 10, cfg)).toBe(open);
    expect(onOutcome(open, 'failure', 10, cfg)).toBe(open);
    expect(onOutcome(open, 'success', 1000, cfg)).toMatchObject({ state: 'half_open', probes: 0 });
  });
});

type Command =
  | { kind: 'lease' }
  | { kind: 'success' }
  | { kind: 'failure' }
  | { kind: 'released' }
  | { kind: 'advance'; ms: number };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ kind: 'lease' } as const),
  fc.constant({ kind: 'success' } as const),
  fc.constant({ kind: 'failure' } as const),
  fc.constant({ kind: 'released' } as const),
  fc.integer({ min: 0, max: 1500 }).map((ms) => ({ kind: 'advance', ms }) as const),
);
const configArb: fc.Arbitrary<BreakerConfig> = fc.record({
  failureThreshold: fc.integer({ min: 1, max: 5 }),
  cooldownMs: fc.integer({ min: 1, max: 1000 }),
  halfOpenProbes: fc.integer({ min: 1, max: 3 }),
});

describe('circuit breaker invariants over random command sequences', () => {
  it('never lets work through early, never exceeds the probe budget, closes only on a probe success', () => {
    fc.assert(
      fc.property(configArb, fc.array(commandArb, { maxLength: 200 }), (c, commands) => {
        let b = CLOSED_BREAKER;
        let now = 0;
        /** Probe leases out since the breaker last turned half-open, counted here independently. */
        let probesOut = 0;
        for (const cmd of commands) {
          const before = breakerAt(b, now, c);
          if (cmd.kind === 'advance') {
            now += cmd.ms;
            const after = breakerAt(b, now, c);
            if (before.state !== 'half_open' && after.state === 'half_open') probesOut = 0;
            continue;
          }
          if (cmd.kind === 'lease') {
            const coolingDown =
              before.state === 'open' && before.openedAt !== null && now < before.openedAt + c.cooldownMs;
            if (coolingDown) expect(breakerAllows(b, now, c)).toBe(false);
            if (!breakerAllows(b, now, c)) continue;
            expect(before.state).not.toBe('open');
            b = onLease(b, now, c);
            if (before.state === 'half_open') probesOut++;
            expect(probesOut).toBeLessThanOrEqual(c.halfOpenProbes);
            continue;
          }
          const after = onOutcome(b, cmd.kind, now, c);
          if (after.state === 'closed' && before.state !== 'closed') {
            // Only a probe's success closes a breaker that was not closed.
            expect(cmd.kind).toBe('success');
            expect(before).toMatchObject({ state: 'half_open' });
            expect(before.probes).toBeGreaterThan(0);
          }
          if (after.state === 'open' && before.state !== 'open') {
            expect(cmd.kind).toBe('failure');
            expect(after.openedAt).toBe(now);
            if (before.state === 'closed') expect(before.failures).toBe(c.failureThreshold - 1);
          }
          if (before.state === 'half_open' && after.state === 'half_open' && cmd.kind === 'released') {
            probesOut = Math.max(0, probesOut - 1);
          }
          if (after.state !== 'half_open') probesOut = 0;
          b = after;
          const current = breakerAt(b, now, c);
          expect(current.probes).toBeGreaterThanOrEqual(0);
          expect(current.probes).toBeLessThanOrEqual(c.halfOpenProbes);
          if (current.state === 'closed') expect(current.failures).toBeLessThan(c.failureThreshold);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('lets at most halfOpenProbes leases through per half-open period, whatever the lease pressure', () => {
    fc.assert(
      fc.property(configArb, fc.integer({ min: 1, max: 20 }), (c, pressure) => {
        let b = CLOSED_BREAKER;
        for (let i = 0; i < c.failureThreshold; i++) b = onOutcome(b, 'failure', 0, c);
        expect(b.state).toBe('open');
        let granted = 0;
        for (let i = 0; i < pressure; i++) {
          if (!breakerAllows(b, c.cooldownMs, c)) continue;
          b = onLease(b, c.cooldownMs, c);
          granted++;
        }
        expect(granted).toBe(Math.min(pressure, c.halfOpenProbes));
      }),
    );
  });
});
