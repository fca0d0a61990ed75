import { KosError } from '@kos/protocol';
import type { Config } from '../config/types.ts';

/** 2^1023 is the largest finite power of two; beyond it the cap is maxDelayMs anyway. */
const MAX_EXPONENT = 1023;

/** The upper bound of the delay before retry number `failedAttempts` (integer ms, ≥ 0). */
export function retryDelayCapMs(failedAttempts: number, retry: Config['retry']): number {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) {
    throw new KosError(
      'KOS_ERR_INTERNAL',
      `retry delay asked for ${failedAttempts} failed attempts; need ≥ 1`,
      {
        failedAttempts,
      },
    );
  }
  const base = Math.max(0, retry.baseDelayMs);
  const grown =
    retry.delayStrategy === 'exponential' ? base * 2 ** Math.min(failedAttempts - 1, MAX_EXPONENT) : base;
  // base × 2^1023 may be Infinity; min() brings it back to maxDelayMs.
  return Math.floor(Math.max(0, Math.min(retry.maxDelayMs, grown)));
}

/**
 * How long a task waits after its `failedAttempts`-th failure before it is ready again.
 * With `jitter` the delay is "full jitter" (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): uniform over [0, cap], which spreads retries of tasks that failed together and so
 * avoids synchronized retry storms. Without jitter it is the cap itself.
 * `random` returns values in [0, 1), like Math.random; inject a seeded one in tests.
 */
export function retryDelayMs(failedAttempts: number, retry: Config['retry'], random: () => number): number {
  const cap = retryDelayCapMs(failedAttempts, retry);
  if (!retry.jitter) return cap;
  // floor(r × (cap + 1)) is uniform over the integers 0..cap; min() guards a random() that returns 1.
  return Math.min(cap, Math.floor(random() * (cap + 1)));
}
