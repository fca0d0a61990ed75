import type { Config } from '../config/types.ts';

/**
 * An agent's trust, in [0, 1]: a moving average of the evidence of its attempts that fades toward
 * a neutral value over time. Pure: the clock comes in as `now`, and decay is applied lazily from
 * the time of the last update (`health.trustAt`), so nothing has to be written while an agent idles.
 */

export type TrustConfig = Pick<Config['security'], 'trustNeutral' | 'trustHalfLifeMs'>;

/**
 * Weight of the newest outcome: after k outcomes the old value keeps 0.9^k of its weight, so
 * 4 straight failures take a fully trusted agent (1.0) below the default threshold (0.7), and
 * one failure among successes costs only 0.1.
 */
export const TRUST_WEIGHT = 0.1;
/** A success slower than this many times its estimate is late… */
export const LATE_FACTOR = 2;
/** …and earns half the credit of a timely one. */
export const LATE_WEIGHT = TRUST_WEIGHT / 2;
/** A forged frame halves trust at once (and quarantines the agent; the low trust outlives a release). */
export const FORGED_FACTOR = 0.5;

/**
 * What an attempt or a frame says about the agent: a success on time or late, a failure (failed,
 * lost with its holder, timed out), or a forged frame.
 */
export type TrustEvidence = 'timely' | 'late' | 'failed' | 'forged';

/** Trust as of `now`, last set at `since`: its distance to neutral halves every half-life. */
export function decayedTrust(trust: number, since: number, now: number, cfg: TrustConfig): number {
  const t = clamp01(trust);
  const elapsed = now - since;
  if (!(elapsed > 0)) return t;
  const kept = Math.pow(0.5, elapsed / cfg.trustHalfLifeMs);
  return clamp01(cfg.trustNeutral + (t - cfg.trustNeutral) * kept);
}

/** Trust after one more piece of evidence. Successes never lower it, failures never raise it. */
export function nextTrust(trust: number, evidence: TrustEvidence): number {
  const current = clamp01(trust);
  switch (evidence) {
    case 'timely':
      return clamp01(current + TRUST_WEIGHT * (1 - current));
    case 'late':
      return clamp01(current + LATE_WEIGHT * (1 - current));
    case 'failed':
      return clamp01(current - TRUST_WEIGHT * current);
    case 'forged':
      return clamp01(current * FORGED_FACTOR);
  }
}

/** Whether a success that ran `ranMs` was late against its estimate (no estimate: never late). */
export function isLate(ranMs: number, estimatedMs: number): boolean {
  return estimatedMs > 0 && ranMs > estimatedMs * LATE_FACTOR;
}

function clamp01(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.min(1, Math.max(0, x));
}
