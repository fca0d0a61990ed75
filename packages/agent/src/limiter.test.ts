import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from './limiter.ts';

/** Lets pending promise callbacks (the limiter's `finally`) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('ConcurrencyLimiter', () => {
  it('never runs more than max jobs at once, starts them in arrival order and runs them all', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.oneof(fc.constant('enqueue' as const), fc.nat({ max: 10 })), { maxLength: 60 }),
        async (max, ops) => {
          const limiter = new ConcurrencyLimiter(max);
          const started: number[] = [];
          const finishers: (() => void)[] = [];
          let running = 0;
          let peak = 0;
          let enqueued = 0;
          const job = (n: number) => () =>
            new Promise<void>((resolve) => {
              started.push(n);
              running++;
              peak = Math.max(peak, running);
              finishers.push(() => {
                running--;
                resolve();
              });
            });
          for (const op of ops) {
            if (op === 'enqueue') limiter.enqueue(`j${enqueued}`, job(enqueued++));
            else if (finishers.length > 0) finishers.splice(op % finishers.length, 1)[0]!();
            await settle();
            expect(running).toBeLessThanOrEqual(max);
            expect(limiter.active).toBe(running);
          }
          while (finishers.length > 0) {
            finishers.shift()!();
            await settle();
          }
          expect(peak).toBeLessThanOrEqual(max);
          expect(started).toEqual([...Array(enqueued).keys()]);
          expect(limiter.active + limiter.waiting).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('frees the slot of a job that rejects', async () => {
    const limiter = new ConcurrencyLimiter(1);
    let secondRan = false;
    limiter.enqueue('a', () => Promise.reject(new Error('boom')));
    limiter.enqueue('b', async () => {
      secondRan = true;
    });
    await settle();
    expect(secondRan).toBe(true);
    expect(limiter.active).toBe(0);
  });

  it('cancels a waiting job but not a running one', async () => {
    const limiter = new ConcurrencyLimiter(1);
    let release!: () => void;
    const ran: string[] = [];
    limiter.enqueue('a', () => new Promise<void>((r) => (release = r)));
    limiter.enqueue('b', async () => {
      ran.push('b');
    });
    limiter.enqueue('c', async () => {
      ran.push('c');
    });
    expect(limiter.cancel('a')).toBe(false);
    expect(limiter.cancel('b')).toBe(true);
    expect(limiter.waiting).toBe(1);
    release();
    await settle();
    expect(ran).toEqual(['c']);
  });
});
