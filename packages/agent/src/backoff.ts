/** Reconnect delays: exponential backoff with full jitter (AWS architecture blog, "Exponential
 * Backoff And Jitter"): spreading reconnects uniformly over [0, cap] keeps a fleet that lost the
 * orchestrator at once from knocking on it in lockstep when it comes back. */
export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The cap for attempt `n` (0-based): base·2ⁿ, at most maxDelayMs. */
export function backoffCap(attempt: number, options: BackoffOptions): number {
  // 2^31 already exceeds any sensible cap; clamping the exponent keeps the product finite.
  const exponent = Math.min(Math.max(attempt, 0), 31);
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
}

/** A delay in [0, cap] for attempt `n`; `random` returns a number in [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * (backoffCap(attempt, options) + 1));
}
