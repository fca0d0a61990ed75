import fc from 'fast-check';
import { KosError } from '@kos/protocol';
import { describe, expect, it } from 'vitest';
import type { Config } from '../config/types.ts';
import { retryDelayCapMs, retryDelayMs } from './backoff.ts';
import { seeded } from './seeded-random.ts';

function retry(over: Partial<Config['retry']> = {}): Config['retry'] {
  return {
    maxAttempts: 5,
    delayStrategy: 'exponential',
    baseDelayMs: 100,
    maxDelayMs: 10_000,
    jitter: false,
    ...over,
  };
}

const retryArb = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 10 }),
  delayStrategy: fc.constantFrom('fixed' as const, 'exponential' as const),
  baseDelayMs: fc.integer({ min: 0, max: 1e6 }),
  maxDelayMs: fc.integer({ min: 0, max: 1e9 }),
  jitter: fc.boolean(),
});

describe('retryDelayMs', () => {
  it('doubles the exponential delay per failure up to maxDelayMs', () => {
    const delays = [1, 2, 3, 4, 7, 8].map((n) => retryDelayMs(n, retry(), Math.random));
    expect(delays).toEqual([100, 200, 400, 800, 6_400, 10_000]);
  });

  it('keeps the fixed delay constant, capped by maxDelayMs', () => {
    expect(retryDelayMs(1, retry({ delayStrategy: 'fixed' }), Math.random)).toBe(100);
    expect(retryDelayMs(9, retry({ delayStrategy: 'fixed' }), Math.random)).toBe(100);
    expect(retryDelayMs(9, retry({ delayStrategy: 'fixed', baseDelayMs: 50_000 }), Math.random)).toBe(10_000);
  });

  it('draws full jitter between 0 and the cap', () => {
    expect(retryDelayMs(3, retry({ jitter: true }), () => 0)).toBe(0);
    expect(retryDelayMs(3, retry({ jitter: true }), () => 0.5)).toBe(200);
    expect(retryDelayMs(3, retry({ jitter: true }), () => 0.999_999_9)).toBe(400);
  });

  it('stays an integer within [0, cap] for any failure count and random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        retryArb,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r, draw) => {
          const cap = retryDelayCapMs(n, r);
          const delay = retryDelayMs(n, r, () => draw);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(cap);
          expect(cap).toBeLessThanOrEqual(Math.max(0, r.maxDelayMs));
          if (!r.jitter) expect(delay).toBe(cap);
        },
      ),
    );
  });

  it('spreads jittered delays instead of repeating one value', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 20 }), (seed, n) => {
        const random = seeded(seed);
        const r = retry({ jitter: true, baseDelayMs: 1_000, maxDelayMs: 60_000 });
        const draws = Array.from({ length: 100 }, () => retryDelayMs(n, r, random));
        expect(new Set(draws).size).toBeGreaterThan(50);
      }),
    );
  });

  it('stays within [0, min(max_delay, base·2^(n-1))] for random policies (base alone when fixed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        retryArb,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r, draw) => {
          const grown = r.delayStrategy === 'exponential' ? r.baseDelayMs * 2 ** (n - 1) : r.baseDelayMs;
          const bound = Math.min(r.maxDelayMs, grown);
          const delay = retryDelayMs(n, r, () => draw);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(bound);
        },
      ),
    );
  });

  it('spreads the delays of any jittered policy whose cap leaves room, over seeded draws', () => {
    const roomy = retryArb.filter((r) => retryDelayCapMs(1, r) >= 1_000).map((r) => ({ ...r, jitter: true }));
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 30 }), roomy, (seed, n, r) => {
        const random = seeded(seed);
        const draws = Array.from({ length: 50 }, () => retryDelayMs(n, r, random));
        // 50 uniform draws over ≥ 1,001 values: all equal has probability ~1e-147.
        expect(new Set(draws).size).toBeGreaterThan(25);
        for (const d of draws) expect(d).toBeLessThanOrEqual(retryDelayCapMs(n, r));
      }),
    );
  });

  it('does not overflow for huge failure counts', () => {
    for (const n of [1_024, 1e6, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      expect(retryDelayMs(n, retry(), Math.random)).toBe(10_000);
      expect(retryDelayMs(n, retry({ baseDelayMs: 0 }), Math.random)).toBe(0);
    }
  });

  it('clamps a random source that returns 1 to the cap', () => {
    expect(retryDelayMs(1, retry({ jitter: true }), () => 1)).toBe(100);
  });

  it('rejects a failure count below 1 with a KosError', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) {
      expect(() => retryDelayMs(n, retry(), Math.random)).toThrow(KosError);
    }
  });
});
