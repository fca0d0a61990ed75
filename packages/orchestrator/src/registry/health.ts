import type { Config } from '../config/types.ts';
import {
  AGENT_BREAKER,
  breakerAt,
  breakerBudget,
  CLOSED_BREAKER,
  onLease,
  onOutcome,
  type BreakerState,
} from '../scheduler/breaker.ts';
import { leaseSkills } from '../scheduler/fallback.ts';
import type { Task } from '../scheduler/task.ts';
import { decayedTrust, isLate, nextTrust, type TrustEvidence } from '../scheduler/trust.ts';
import { moveAgent, type Agent, type AgentHealth, type AgentState } from './agent.ts';

/**
 * An agent's health, pure: what an attempt's outcome or a lease does to its stats, trust, failure
 * counts and circuit breakers, when that quarantines it, and what a release resets. The verbs
 * (store/verbs/health.ts, quarantine.ts) read and write the agent around these functions.
 */

export type HealthConfig = Pick<Config, 'breaker' | 'lifecycle' | 'security'>;

/**
 * How an attempt ended for its holder: `lost` when its lease was taken back because the agent
 * vanished or let it expire, `timed_out` past start-to-close, `returned` when the lease ended
 * without it being at fault (handed back, revoked by an operator).
 */
export type AttemptOutcome = 'succeeded' | 'failed' | 'lost' | 'timed_out' | 'returned';

export type QuarantineTrigger = 'consecutive_failures' | 'crashes' | 'forged_frame' | 'operator';

/** The state a released agent is left in: it must register (or reconnect) before it gets work. */
export const RELEASED_STATE: AgentState = 'unregistered';

type Attempt = Pick<Task, 'skills' | 'attempts' | 'policy' | 'leasedAt' | 'estimatedDurationMs'>;

/** The breakers an attempt goes through: the agent's own and one per skill it was leased for. */
export function breakerKeys(task: Pick<Task, 'skills' | 'attempts' | 'policy'>, agent: Agent): string[] {
  return [AGENT_BREAKER, ...leaseSkills(task, agent.skills)];
}

/** The agent's trust as of `now`, decayed toward neutral since its last update. */
export function trustNow(agent: Agent, now: number, cfg: HealthConfig): number {
  return decayedTrust(agent.trust, agent.health.trustAt, now, cfg.security);
}

/**
 * The agent after an attempt of `task` ended. Several leases lost on one occasion (an agent that
 * vanished holding five tasks, a sweep that expires three) are one crash: the first counts as a
 * failure for trust, failure counts and breakers; the others add to per-skill stats only.
 */
export function afterOutcome(
  agent: Agent,
  task: Attempt,
  outcome: AttemptOutcome,
  now: number,
  cfg: HealthConfig,
): Agent {
  const h = agent.health;
  const counted: AttemptOutcome = outcome === 'lost' && h.lastCrashAt === now ? 'returned' : outcome;
  const failure = counted === 'failed' || counted === 'lost' || counted === 'timed_out';
  const evidence = evidenceOf(counted, task, now);
  const trust = trustNow(agent, now, cfg);
  const health: AgentHealth = {
    ...h,
    consecutiveFailures: counted === 'succeeded' ? 0 : h.consecutiveFailures + (failure ? 1 : 0),
    crashes: counted === 'succeeded' ? 0 : h.crashes + (counted === 'lost' ? 1 : 0),
    breakers: updateBreakers(h.breakers, breakerKeys(task, agent), (b) =>
      onOutcome(b, counted === 'succeeded' ? 'success' : failure ? 'failure' : 'released', now, cfg.breaker),
    ),
    trustAt: now,
    ...(outcome === 'lost' ? { lastCrashAt: now } : {}),
  };
  return {
    ...agent,
    stats: outcome === 'returned' ? agent.stats : withStats(agent, task, outcome, now),
    trust: evidence === null ? trust : nextTrust(trust, evidence),
    health,
    updatedAt: now,
  };
}

function evidenceOf(outcome: AttemptOutcome, task: Attempt, now: number): TrustEvidence | null {
  switch (outcome) {
    case 'succeeded':
      return isLate(ranMs(task, now), task.estimatedDurationMs) ? 'late' : 'timely';
    case 'returned':
      return null;
    default:
      return 'failed';
  }
}

/** The agent after a forged frame: trust drops sharply (see FORGED_FACTOR). */
export function afterForgedFrame(agent: Agent, now: number, cfg: HealthConfig): Agent {
  const trust = nextTrust(trustNow(agent, now, cfg), 'forged');
  return { ...agent, trust, health: { ...agent.health, trustAt: now }, updatedAt: now };
}

/** The agent after leases of `tasks` were granted to it: half-open breakers count their probes. */
export function afterLeases(agent: Agent, tasks: readonly Attempt[], now: number, cfg: HealthConfig): Agent {
  let breakers = agent.health.breakers;
  for (const task of tasks) {
    const keys = breakerKeys(task, agent).filter((k) => breakers[k] !== undefined);
    breakers = updateBreakers(breakers, keys, (b) => onLease(b, now, cfg.breaker));
  }
  if (breakers === agent.health.breakers) return agent;
  return { ...agent, health: { ...agent.health, breakers } };
}

/**
 * Leases each breaker still lets through at `now`, for the breakers that limit any (open:
 * 0, half-open: the probes left); a key not listed is closed.
 */
export function breakerBudgets(agent: Agent, now: number, cfg: HealthConfig): Record<string, number> {
  const budgets: Record<string, number> = {};
  for (const [key, b] of Object.entries(agent.health.breakers)) {
    const budget = breakerBudget(b, now, cfg.breaker);
    if (budget !== Number.POSITIVE_INFINITY) budgets[key] = budget;
  }
  return budgets;
}

/** The breakers that are not closed at `now`, by key. */
export function openBreakers(
  agent: Agent,
  now: number,
  cfg: HealthConfig,
): Record<string, 'open' | 'half_open'> {
  const out: Record<string, 'open' | 'half_open'> = {};
  for (const [key, b] of Object.entries(agent.health.breakers)) {
    const { state } = breakerAt(b, now, cfg.breaker);
    if (state !== 'closed') out[key] = state;
  }
  return out;
}

/** Whether the failure counts call for quarantine, and why. */
export function quarantineDue(
  health: AgentHealth,
  cfg: HealthConfig,
): { trigger: QuarantineTrigger; reason: string } | null {
  const { maxCrashes, quarantineThreshold } = cfg.lifecycle;
  if (health.crashes >= maxCrashes) {
    return {
      trigger: 'crashes',
      reason: `${health.crashes} crashes since its last success (lifecycle.max_crashes ${maxCrashes})`,
    };
  }
  if (health.consecutiveFailures >= quarantineThreshold) {
    return {
      trigger: 'consecutive_failures',
      reason: `${health.consecutiveFailures} consecutive failures (lifecycle.quarantine_threshold ${quarantineThreshold})`,
    };
  }
  return null;
}

/** The agent quarantined: isolated, with who did it and why. Throws on an illegal transition. */
export function quarantined(agent: Agent, reason: string, by: string, now: number): Agent {
  const moved = moveAgent(agent, 'quarantined', now);
  return { ...moved, health: { ...moved.health, quarantine: { reason, at: now, by } } };
}

/**
 * The agent released by an operator: failure counts, crashes and breakers start afresh; its
 * trust is kept (it fades toward neutral, or is earned back on experimental tasks).
 */
export function released(agent: Agent, now: number): Agent {
  const moved = moveAgent(agent, RELEASED_STATE, now);
  return {
    ...moved,
    health: { ...moved.health, consecutiveFailures: 0, crashes: 0, breakers: {}, quarantine: null },
  };
}

function withStats(agent: Agent, task: Attempt, outcome: AttemptOutcome, now: number): Agent['stats'] {
  const stats = { ...agent.stats };
  for (const skill of task.skills) {
    const s = stats[skill] ?? { succeeded: 0, failed: 0, totalMs: 0 };
    stats[skill] =
      outcome === 'succeeded'
        ? { ...s, succeeded: s.succeeded + 1, totalMs: s.totalMs + ranMs(task, now) }
        : { ...s, failed: s.failed + 1 };
  }
  return stats;
}

function ranMs(task: Attempt, now: number): number {
  return task.leasedAt === null ? 0 : Math.max(0, now - task.leasedAt);
}

/** Applies `fn` to the breakers of `keys`; a breaker back to plain closed is dropped (closed is the default). */
function updateBreakers(
  breakers: Record<string, BreakerState>,
  keys: readonly string[],
  fn: (b: BreakerState) => BreakerState,
): Record<string, BreakerState> {
  let out = breakers;
  for (const key of keys) {
    const before = out[key] ?? CLOSED_BREAKER;
    const after = fn(before);
    if (after === before) continue;
    if (out === breakers) out = { ...breakers };
    if (after.state === 'closed' && after.failures === 0) delete out[key];
    else out[key] = after;
  }
  return out;
}
