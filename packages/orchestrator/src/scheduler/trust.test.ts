import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decayedTrust,
  FORGED_FACTOR,
  isLate,
  LATE_WEIGHT,
  nextTrust,
  TRUST_WEIGHT,
  type TrustConfig,
  type TrustEvidence,
} from './trust.ts';

const cfg: TrustConfig = { trustNeutral: 0.8, trustHalfLifeMs: 1000 };
const trustArb = fc.double({ min: 0, max: 1, noNaN: true });
const evidenceArb = fc.constantFrom<TrustEvidence>('timely', 'late', 'failed', 'forged');
const configArb = fc.record({
  trustNeutral: trustArb,
  trustHalfLifeMs: fc.integer({ min: 1, max: 10_000_000 }),
});
/** A run of evidence, each after some idle time. */
const historyArb = fc.array(fc.tuple(evidenceArb, fc.nat(100_000)), { maxLength: 60 });

describe('nextTrust', () => {
  it('moves a tenth of the way toward 1 on a timely success and toward 0 on a failure', () => {
    expect(TRUST_WEIGHT).toBe(0.1);
    expect(nextTrust(0.5, 'timely')).toBeCloseTo(0.55, 12);
    expect(nextTrust(0.5, 'failed')).toBeCloseTo(0.45, 12);
  });

  it('gives a late success half the credit of a timely one, and halves trust on a forged frame', () => {
    expect(nextTrust(0.5, 'late')).toBeCloseTo(0.5 + LATE_WEIGHT * 0.5, 12);
    expect(nextTrust(0.9, 'forged')).toBeCloseTo(0.9 * FORGED_FACTOR, 12);
  });

  it('never lowers trust on a success, never raises it on a failure, and ranks timely over late', () => {
    fc.assert(
      fc.property(trustArb, (t) => {
        expect(nextTrust(t, 'timely')).toBeGreaterThanOrEqual(nextTrust(t, 'late'));
        expect(nextTrust(t, 'late')).toBeGreaterThanOrEqual(t);
        expect(nextTrust(t, 'failed')).toBeLessThanOrEqual(t);
        expect(nextTrust(t, 'forged')).toBeLessThanOrEqual(nextTrust(t, 'failed') + 1e-12);
      }),
    );
  });

  it('takes a fully trusted agent below the default threshold (0.7) after 4 straight failures', () => {
    let t = 1;
    for (let i = 0; i < 3; i++) t = nextTrust(t, 'failed');
    expect(t).toBeGreaterThan(0.7);
    expect(nextTrust(t, 'failed')).toBeLessThan(0.7);
  });
});

describe('decayedTrust', () => {
  it('halves the distance to neutral every half-life', () => {
    expect(decayedTrust(0.2, 0, 0, cfg)).toBe(0.2);
    expect(decayedTrust(0.2, 0, 1000, cfg)).toBeCloseTo(0.5, 12);
    expect(decayedTrust(0.2, 0, 2000, cfg)).toBeCloseTo(0.65, 12);
    expect(decayedTrust(1, 5000, 6000, cfg)).toBeCloseTo(0.9, 12);
    // A clock reading before the last update leaves trust as it was.
    expect(decayedTrust(0.2, 1000, 500, cfg)).toBe(0.2);
  });

  it('moves monotonically toward neutral without ever crossing it', () => {
    fc.assert(
      fc.property(trustArb, configArb, fc.nat(10_000_000), fc.nat(10_000_000), (t, c, a, b) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        const d1 = decayedTrust(t, 0, early, c);
        const d2 = decayedTrust(t, 0, late, c);
        expect(Math.abs(d2 - c.trustNeutral)).toBeLessThanOrEqual(Math.abs(d1 - c.trustNeutral) + 1e-12);
        expect(Math.sign(d2 - c.trustNeutral) * Math.sign(t - c.trustNeutral)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('gives the same trust whether decay is applied once or at every step (lazy decay is exact)', () => {
    fc.assert(
      fc.property(trustArb, configArb, fc.array(fc.nat(1_000_000), { maxLength: 10 }), (t, c, steps) => {
        let stepped = t;
        let at = 0;
        for (const s of steps) {
          stepped = decayedTrust(stepped, at, at + s, c);
          at += s;
        }
        expect(stepped).toBeCloseTo(decayedTrust(t, 0, at, c), 9);
      }),
    );
  });
});

describe('trust over time', () => {
  /** Trust after a history, decayed lazily before each piece of evidence as the verbs do. */
  function replay(start: number, history: readonly (readonly [TrustEvidence, number])[], c: TrustConfig) {
    let t = start;
    let at = 0;
    const seen: { before: number; after: number; evidence: TrustEvidence }[] = [];
    for (const [evidence, idle] of history) {
      const before = decayedTrust(t, at, at + idle, c);
      at += idle;
      t = nextTrust(before, evidence);
      seen.push({ before, after: t, evidence });
    }
    return seen;
  }

  it('stays within [0, 1] from any starting value through any history', () => {
    fc.assert(
      fc.property(fc.double(), historyArb, configArb, (start, history, c) => {
        for (const { before, after } of replay(start, history, c)) {
          for (const x of [before, after]) {
            expect(x).toBeGreaterThanOrEqual(0);
            expect(x).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });

  it('never gains from a failure: a failed attempt leaves trust at most what time alone gave', () => {
    fc.assert(
      fc.property(trustArb, historyArb, configArb, (start, history, c) => {
        for (const { before, after, evidence } of replay(start, history, c)) {
          if (evidence === 'failed' || evidence === 'forged') expect(after).toBeLessThanOrEqual(before);
          else expect(after).toBeGreaterThanOrEqual(before);
        }
      }),
    );
  });
});

describe('isLate', () => {
  it('calls a success late past twice its estimate, and never without an estimate', () => {
    expect(isLate(2000, 1000)).toBe(false);
    expect(isLate(2001, 1000)).toBe(true);
    expect(isLate(1e9, 0)).toBe(false);
  });
});
