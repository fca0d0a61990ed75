import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextTrust, TRUST_WEIGHT, type AttemptOutcome } from './trust.ts';

const outcomeArb = fc.constantFrom<AttemptOutcome>('succeeded', 'failed', 'lost');

describe('nextTrust', () => {
  it('moves a tenth of the way toward 1 on success and toward 0 on failure', () => {
    expect(TRUST_WEIGHT).toBe(0.1);
    expect(nextTrust(0.5, 'succeeded')).toBeCloseTo(0.55, 12);
    expect(nextTrust(0.5, 'failed')).toBeCloseTo(0.45, 12);
  });

  it('counts a lost lease as a failure', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (t) => {
        expect(nextTrust(t, 'lost')).toBe(nextTrust(t, 'failed'));
      }),
    );
  });

  it('stays within [0, 1] from any starting value and any outcome sequence', () => {
    fc.assert(
      fc.property(fc.double(), fc.array(outcomeArb, { maxLength: 50 }), (start, outcomes) => {
        let t = nextTrust(start, 'succeeded');
        for (const o of outcomes) {
          t = nextTrust(t, o);
          expect(t).toBeGreaterThanOrEqual(0);
          expect(t).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('never lowers trust on success and never raises it on failure', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (t) => {
        expect(nextTrust(t, 'succeeded')).toBeGreaterThanOrEqual(t);
        expect(nextTrust(t, 'failed')).toBeLessThanOrEqual(t);
      }),
    );
  });

  it('takes a fully trusted agent below 0.1 after 22 straight failures', () => {
    let t = 1;
    for (let i = 0; i < 21; i++) t = nextTrust(t, 'failed');
    expect(t).toBeGreaterThan(0.1);
    expect(nextTrust(t, 'failed')).toBeLessThan(0.1);
  });
});
