/**
 * Weight of the newest outcome in the trust average: after k outcomes the old value keeps
 * 0.9^k of its weight, so ~22 consecutive failures take a fully trusted agent (1.0) below 0.1,
 * and one failure among successes costs only 0.1.
 */
export const TRUST_WEIGHT = 0.1;

export type AttemptOutcome = 'succeeded' | 'failed' | 'lost';

/**
 * The agent's trust after one more attempt: an exponential moving average toward 1 on success
 * and toward 0 on failure. A lost lease (the agent vanished mid-task) counts as a failure.
 * The result is clamped to [0, 1].
 */
export function nextTrust(trust: number, outcome: AttemptOutcome): number {
  const current = clamp01(trust);
  const target = outcome === 'succeeded' ? 1 : 0;
  return clamp01(current + TRUST_WEIGHT * (target - current));
}

function clamp01(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.min(1, Math.max(0, x));
}
