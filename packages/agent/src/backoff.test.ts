import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCap, backoffDelay } from './backoff.ts';

const optionsArb = fc
  .tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 600_000 }))
  .map(([a, b]) => ({ baseDelayMs: Math.min(a, b), maxDelayMs: Math.max(a, b) }));

describe('backoff', () => {
  it('waits between 0 and the cap, never more than maxDelayMs', () => {
    fc.assert(
      fc.property(
        optionsArb,
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (options, attempt, r) => {
          const delay = backoffDelay(attempt, options, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(backoffCap(attempt, options));
          expect(delay).toBeLessThanOrEqual(options.maxDelayMs);
        },
      ),
    );
  });

  it('doubles the cap per attempt from baseDelayMs until maxDelayMs', () => {
    const options = { baseDelayMs: 200, maxDelayMs: 10_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => backoffCap(n, options))).toEqual([
      200, 400, 800, 1600, 3200, 6400, 10_000, 10_000,
    ]);
  });

  it('spreads delays over the whole range (full jitter)', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 100 };
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.999_999)).toBe(100);
  });
});
