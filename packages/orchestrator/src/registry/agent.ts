import type { BreakerState } from '../scheduler/breaker.ts';
import { assertTransition, type TransitionTable } from '../scheduler/transitions.ts';

/**
 * Agent lifecycle.
 * - `active`       heartbeating, may receive work up to `maxParallel`
 * - `draining`     finishes its leases, receives no new work
 * - `lost`         silent past the heartbeat TTL; its leases were revoked. A heartbeat revives it.
 * - `unregistered` left (or was removed); its leases were revoked. Registering again revives it.
 * - `quarantined`  isolated by policy or an operator; receives no work until released
 */
export type AgentState = 'active' | 'draining' | 'lost' | 'unregistered' | 'quarantined';

export const AGENT_TRANSITIONS: TransitionTable<AgentState> = {
  active: ['draining', 'lost', 'unregistered', 'quarantined'],
  draining: ['active', 'lost', 'unregistered', 'quarantined'],
  lost: ['active', 'unregistered', 'quarantined'],
  // → quarantined: an operator may isolate an agent that is not connected, so it cannot come back.
  unregistered: ['active', 'quarantined'],
  quarantined: ['active', 'unregistered'],
};

/** Outcomes per skill: the scheduler's history tie-break. */
export interface SkillStats {
  succeeded: number;
  failed: number;
  /** Sum of run times of succeeded attempts, to compare with estimates. */
  totalMs: number;
}

/** Failure accounting behind breakers, quarantine and trust decay. */
export interface AgentHealth {
  /** Failed or lost attempts since the last success. */
  consecutiveFailures: number;
  /** Leases lost because the agent vanished (session gone, silent, expired). */
  crashes: number;
  /** Circuit breakers: `*` for the agent as a whole, and one per skill. */
  breakers: Record<string, BreakerState>;
  /** Why and by whom it was quarantined; null when not quarantined. */
  quarantine: { reason: string; at: number; by: string } | null;
  /** When trust was last updated: decay toward neutral is applied from here. */
  trustAt: number;
  /** When it last lost leases: further leases lost at that same moment are the same crash. */
  lastCrashAt?: number;
}

export function newAgentHealth(now: number): AgentHealth {
  return { consecutiveFailures: 0, crashes: 0, breakers: {}, quarantine: null, trustAt: now };
}

export interface Agent {
  id: string;
  /** The seed's `context_id`: unique, stable across restarts of the agent. */
  name: string;
  skills: string[];
  maxParallel: number;
  state: AgentState;
  /** In [0, 1] as of health.trustAt; below security.trust_threshold it gets experimental tasks only. */
  trust: number;
  stats: Record<string, SkillStats>;
  lastHeartbeatAt: number;
  /** The Ed25519 public key (base64url) its name is bound to, once it connected over KLP. */
  publicKey: string | null;
  /** When the agent last received a task: the rotation tie-break. */
  lastAssignedAt: number;
  health: AgentHealth;
  registeredAt: number;
  updatedAt: number;
}

export function moveAgent(agent: Agent, to: AgentState, now: number): Agent {
  assertTransition(AGENT_TRANSITIONS, 'agent', agent.id, agent.state, to);
  return { ...agent, state: to, updatedAt: now };
}
