/**
 * Circuit breaker state of one agent (key `*`) or one agent × skill (key = the skill).
 * - `closed`    work flows; consecutive failures are counted
 * - `open`      no work until `openedAt` + the cool-down
 * - `half_open` after the cool-down, a limited number of probe tasks test the agent again
 */
export interface BreakerState {
  state: 'closed' | 'open' | 'half_open';
  /** Consecutive failures while closed (or of probes while half-open). */
  failures: number;
  openedAt: number | null;
  /** Probe leases granted while half-open and not yet reported. */
  probes: number;
}
