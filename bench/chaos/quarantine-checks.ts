// What the event log says about a quarantined agent, pure: its leases and failures up to the
// quarantine, what its circuit breaker let through, and what it got afterwards. The quarantine
// scenario checks its invariants against these verdicts.
import type { LogEvent } from './event-log.ts';

/** A task.state event recording a failed attempt of the agent (the failure verb adds `error`). */
export function isFailure(e: LogEvent, agentId: string): boolean {
  return e.kind === 'task.state' && e.agentId === agentId && e.data.error !== undefined;
}

export const isLease = (e: LogEvent, agentId: string): boolean =>
  e.kind === 'task.assigned' && e.agentId === agentId;

export const isQuarantine = (e: LogEvent, agentId: string): boolean =>
  e.kind === 'agent.state' && e.agentId === agentId && e.data.to === 'quarantined';

export interface FailingRules {
  /** breaker.failure_threshold */
  breakerThreshold: number;
  /** breaker.cooldown_ms */
  cooldownMs: number;
  /** lifecycle.quarantine_threshold */
  quarantineThreshold: number;
}

export interface FailingVerdict {
  quarantine: { seq: number; at: number; trigger: unknown } | null;
  /** The failure that reached lifecycle.quarantine_threshold, if any did. */
  thresholdFailure: { seq: number; at: number } | null;
  /**
   * The threshold failure and the quarantine were written by one transaction: the quarantine is
   * the next event after the failure (cause before effect) at the same server time.
   */
  sameTransaction: boolean;
  /** Leases it was granted up to the decision. */
  leases: number;
  /** Its failed attempts up to the decision (the threshold failure included). */
  failures: number;
  /** Leases granted to it between the threshold failure and the quarantine event. */
  leasesBetween: number;
  /** Leases granted to it after the decision. */
  leasesAfter: number;
  /** Failures of it logged after the decision (must be none: it holds nothing to fail). */
  failuresAfter: number;
  /**
   * For each lease granted once its breaker had opened (from the breaker_threshold-th failure
   * on): ms since the failure before it, which (re)opened the breaker. Each must be ≥ the cool-down.
   */
  breakerWaits: number[];
}

/**
 * Judges an agent whose every attempt fails (one lease at a time, so leases and failures
 * alternate): it must be quarantined by exactly its quarantine_threshold-th failure, in the same
 * transaction, and leased nothing after. Its breaker must keep every lease after the
 * breaker_threshold-th failure at least one cool-down after the failure before it.
 */
export function judgeFailing(
  events: readonly LogEvent[],
  agentId: string,
  rules: FailingRules,
): FailingVerdict {
  const q = events.find((e) => isQuarantine(e, agentId)) ?? null;
  const failures = events.filter((e) => isFailure(e, agentId));
  const threshold = failures[rules.quarantineThreshold - 1] ?? null;
  // The failure logged by the quarantine's own transaction: next to it, at the same server time.
  const cause = q && failures.find((e) => q.seq - e.seq === 1 && e.at === q.at);
  const last = q ? q.seq : Number.POSITIVE_INFINITY;
  const [from, to] =
    q && threshold ? [Math.min(q.seq, threshold.seq), Math.max(q.seq, threshold.seq)] : [0, 0];
  const upTo = events.filter((e) => e.seq <= last);
  const after = events.filter((e) => e.seq > last);
  const breakerWaits: number[] = [];
  let failed = 0;
  let lastFailureAt = 0;
  for (const e of upTo) {
    if (isFailure(e, agentId)) {
      failed++;
      lastFailureAt = e.at;
    } else if (isLease(e, agentId) && failed >= rules.breakerThreshold) {
      breakerWaits.push(e.at - lastFailureAt);
    }
  }
  return {
    quarantine: q && { seq: q.seq, at: q.at, trigger: q.data.trigger },
    thresholdFailure: threshold && { seq: threshold.seq, at: threshold.at },
    sameTransaction: threshold !== null && cause === threshold,
    leases: upTo.filter((e) => isLease(e, agentId)).length,
    failures: upTo.filter((e) => isFailure(e, agentId)).length,
    leasesBetween: events.filter((e) => e.seq > from && e.seq < to && isLease(e, agentId)).length,
    leasesAfter: after.filter((e) => isLease(e, agentId)).length,
    failuresAfter: after.filter((e) => isFailure(e, agentId)).length,
    breakerWaits,
  };
}

export interface ForgerVerdict {
  /** The first security alert of the agent's session, and its code. */
  alert: { seq: number; at: number; code: unknown } | null;
  quarantine: { seq: number; at: number; trigger: unknown } | null;
  /** The agent's own events between the alert and the quarantine (kinds): none is expected. */
  between: string[];
  /** The held task's lease revoked for the quarantine (after the quarantine event). */
  revoked: boolean;
  /** The held task leased to `rescuerId` after that revocation. */
  reassigned: { seq: number; at: number } | null;
  /** Agents of the held task's successes (ids). */
  successBy: (string | null)[];
  /** Leases granted to the agent after the quarantine event. */
  leasesAfter: number;
}

/** Judges an agent that held `heldTask` and then sent a forged frame. */
export function judgeForger(
  events: readonly LogEvent[],
  agentId: string,
  heldTask: string,
  rescuerId: string,
): ForgerVerdict {
  const alert = events.find((e) => e.kind === 'security.alert' && e.agentId === agentId);
  const quarantine = events.find((e) => isQuarantine(e, agentId));
  const qSeq = quarantine?.seq ?? Number.POSITIVE_INFINITY;
  const revocation = events.find(
    (e) =>
      e.kind === 'task.lease_revoked' &&
      e.taskId === heldTask &&
      e.data.reason === 'agent_quarantined' &&
      e.seq > qSeq,
  );
  const reassigned = revocation
    ? events.find((e) => e.seq > revocation.seq && e.taskId === heldTask && isLease(e, rescuerId))
    : undefined;
  return {
    alert: alert ? { seq: alert.seq, at: alert.at, code: alert.data.code } : null,
    quarantine: quarantine
      ? { seq: quarantine.seq, at: quarantine.at, trigger: quarantine.data.trigger }
      : null,
    between:
      alert && quarantine
        ? events.filter((e) => e.agentId === agentId && e.seq > alert.seq && e.seq < qSeq).map((e) => e.kind)
        : [],
    revoked: revocation !== undefined,
    reassigned: reassigned ? { seq: reassigned.seq, at: reassigned.at } : null,
    successBy: events
      .filter((e) => e.kind === 'task.state' && e.taskId === heldTask && e.data.to === 'succeeded')
      .map((e) => e.agentId),
    leasesAfter: events.filter((e) => e.seq > qSeq && isLease(e, agentId)).length,
  };
}
