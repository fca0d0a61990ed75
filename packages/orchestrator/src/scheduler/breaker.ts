import type { Config } from '../config/types.ts';

/**
 * Circuit breaker state of one agent (key `*`) or one agent × skill (key = the skill).
 * - `closed`    work flows; consecutive failures are counted
 * - `open`      no work until `openedAt` + the cool-down
 * - `half_open` after the cool-down, a limited number of probe tasks test the agent again
 *
 * Time is never read here: every function takes `now`, and an open breaker whose cool-down has
 * passed is half-open from then on without anything being written (`breakerAt`).
 */
export interface BreakerState {
  state: 'closed' | 'open' | 'half_open';
  /** Consecutive failures while closed (or of probes while half-open). */
  failures: number;
  openedAt: number | null;
  /** Probe leases granted while half-open and not yet reported. */
  probes: number;
}

export type BreakerConfig = Config['breaker'];

/** The key of the agent's own breaker; the others are keyed by skill. */
export const AGENT_BREAKER = '*';

/**
 * How an attempt ended, for a breaker: `released` is a lease that ended without a result of the
 * agent's making (handed back, revoked by an operator): it frees a probe slot and proves nothing.
 */
export type BreakerOutcome = 'success' | 'failure' | 'released';

export const CLOSED_BREAKER: BreakerState = { state: 'closed', failures: 0, openedAt: null, probes: 0 };

function opened(failures: number, now: number): BreakerState {
  return { state: 'open', failures, openedAt: now, probes: 0 };
}

/** The breaker as of `now`: an open breaker whose cool-down has passed is half-open, no probe out yet. */
export function breakerAt(b: BreakerState, now: number, cfg: BreakerConfig): BreakerState {
  if (b.state === 'open' && (b.openedAt === null || now >= b.openedAt + cfg.cooldownMs)) {
    return { ...b, state: 'half_open', probes: 0 };
  }
  return b;
}

/** Leases it lets through now: unlimited when closed, none while open, the probes left when half-open. */
export function breakerBudget(b: BreakerState, now: number, cfg: BreakerConfig): number {
  const s = breakerAt(b, now, cfg);
  if (s.state === 'closed') return Number.POSITIVE_INFINITY;
  if (s.state === 'open') return 0;
  return Math.max(0, cfg.halfOpenProbes - s.probes);
}

export function breakerAllows(b: BreakerState, now: number, cfg: BreakerConfig): boolean {
  return breakerBudget(b, now, cfg) > 0;
}

/** A lease was granted through the breaker: while half-open it is one more probe out. */
export function onLease(b: BreakerState, now: number, cfg: BreakerConfig): BreakerState {
  const s = breakerAt(b, now, cfg);
  return s.state === 'half_open' ? { ...s, probes: s.probes + 1 } : s;
}

/**
 * An attempt through the breaker ended.
 * - closed: a success resets the count; the `failureThreshold`-th consecutive failure opens it.
 * - open (cooling down): results of leases granted before it opened change nothing; only time
 *   moves it on.
 * - half-open: while a probe is out, a success closes it and a failure opens it again for a
 *   full cool-down. Before any probe, a failure opens it again too (the agent still fails), but
 *   a success does not close it: only a probe may.
 */
export function onOutcome(
  b: BreakerState,
  outcome: BreakerOutcome,
  now: number,
  cfg: BreakerConfig,
): BreakerState {
  const s = breakerAt(b, now, cfg);
  switch (s.state) {
    case 'closed': {
      if (outcome === 'released') return s;
      if (outcome === 'success') return s.failures === 0 ? s : CLOSED_BREAKER;
      const failures = s.failures + 1;
      return failures >= cfg.failureThreshold ? opened(failures, now) : { ...s, failures };
    }
    case 'open':
      return s;
    case 'half_open':
      if (outcome === 'failure') return opened(s.failures + 1, now);
      if (s.probes === 0) return s;
      return outcome === 'success' ? CLOSED_BREAKER : { ...s, probes: s.probes - 1 };
  }
}
