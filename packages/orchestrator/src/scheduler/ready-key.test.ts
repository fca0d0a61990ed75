import fc from 'fast-check';
import { PRIORITIES, priorityLevel } from '@kos/protocol';
import { describe, expect, it } from 'vitest';
import { readyKey } from './ready-key.ts';

const STEP = 30_000;

describe('readyKey', () => {
  it('orders tasks that become ready together strictly by priority', () => {
    const keys = PRIORITIES.map((p) => readyKey(1_000, p, STEP));
    expect(keys).toEqual([1_000, 1_000 + STEP, 1_000 + 2 * STEP, 1_000 + 3 * STEP]);
  });

  it('lets a task that waited one aging step catch up with the next tier', () => {
    expect(readyKey(0, 'high', STEP)).toBe(readyKey(STEP, 'critical', STEP));
  });

  it('keeps a low task behind newer critical tasks for at most 3 aging steps', () => {
    fc.assert(
      fc.property(fc.nat(1e12), fc.nat(1e12), fc.integer({ min: 1, max: 1e7 }), (lowAt, criticalAt, step) => {
        const low = readyKey(lowAt, 'low', step);
        const critical = readyKey(criticalAt, 'critical', step);
        // The critical task sorts first exactly when it became ready less than 3 steps after the low one.
        expect(critical < low).toBe(criticalAt < lowAt + 3 * step);
      }),
    );
  });

  it('lets a task be overtaken only by higher tiers that became ready within the tier gap in steps', () => {
    fc.assert(
      fc.property(
        fc.nat(1e9),
        fc.nat(1e9),
        fc.constantFrom(...PRIORITIES),
        fc.constantFrom(...PRIORITIES),
        fc.integer({ min: 1, max: 1e6 }),
        (waitingAt, newerAt, waiting, newer, step) => {
          fc.pre(newerAt >= waitingAt);
          const overtaken = readyKey(newerAt, newer, step) < readyKey(waitingAt, waiting, step);
          const gap = priorityLevel(waiting) - priorityLevel(newer);
          expect(overtaken).toBe(gap > 0 && newerAt - waitingAt < gap * step);
        },
      ),
    );
  });
});
