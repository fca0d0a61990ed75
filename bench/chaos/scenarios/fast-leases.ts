// The lease settings of the agent-kill and zombie scenarios: short, so a trial takes about a
// second, and small enough a sweep interval that "TTL + one sweep" is a tight bound.
import type { ConfigSections } from '../orchestrator.ts';

export const LEASE_TTL_MS = 1000;
export const SWEEP_INTERVAL_MS = 100;
/** Round, commit and push after the sweep revoked the lease, on a loaded 2-core machine. */
export const SCHEDULING_SLACK_MS = 250;
/** The bound each reassignment must meet: lease TTL + one sweep interval + slack. */
export const REASSIGN_BOUND_MS = LEASE_TTL_MS + SWEEP_INTERVAL_MS + SCHEDULING_SLACK_MS;

export const FAST_LEASES: ConfigSections = {
  leases: { ttl_ms: LEASE_TTL_MS },
  // Agents heartbeat every ttl/3 (welcome.heartbeat_interval_ms), so ~333 ms.
  heartbeat: { ttl_ms: LEASE_TTL_MS, sweep_interval_ms: SWEEP_INTERVAL_MS },
};
