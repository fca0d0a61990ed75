import type { Config } from '../config/types.ts';
import type { Agent } from '../registry/agent.ts';
import type { Task } from './task.ts';

/** A ready task as an assignment round sees it. */
export type RoundTask = Pick<
  Task,
  'id' | 'goalId' | 'skills' | 'priority' | 'readyKey' | 'lastAgentId' | 'attempts'
> & {
  /** The previous attempt failed on `lastAgentId` (feeds policies.fallbackOnError). */
  lastFailed: boolean;
};

/** An agent as an assignment round sees it. */
export type RoundAgent = Pick<
  Agent,
  'id' | 'skills' | 'maxParallel' | 'state' | 'trust' | 'stats' | 'lastAssignedAt'
> & {
  /** Leases it holds now. */
  active: number;
};

export type SchedulingPolicy = Pick<Config, 'policies' | 'security'>;

/**
 * Tier flags, lower is better. Trust outranks fallback: security.trust_threshold says an untrusted
 * agent works only when no trusted one can, while policies.fallback_on_error only *prefers* another
 * agent. So tiers run 0 preferred, 1 fallback-only, 2 untrusted, 3 untrusted and fallback-only.
 */
export const TIER_FALLBACK_ONLY = 1;
export const TIER_UNTRUSTED = 2;

/** Weights of the numeric value within a tier (they sum to 1). */
export const VALUE_WEIGHTS = { freeRatio: 0.6, trust: 0.25, history: 0.15 } as const;

export interface PairParts {
  /** Free slots / maxParallel, in [0, 1]: 1 is idle. */
  freeRatio: number;
  trust: number;
  /** Laplace-smoothed success rate (s+1)/(s+f+2) averaged over the task's skills; 0.5 with no history. */
  history: number;
  /** 0..3, lower first; see TIER_FALLBACK_ONLY and TIER_UNTRUSTED. */
  tier: number;
  /** The rotation tie-break: the least recently assigned agent goes first. */
  lastAssignedAt: number;
}

export interface PairScore {
  capable: true;
  agentId: string;
  /**
   * In (0, 1], for the tensor: (3 − tier + inner) / 4 with inner = 0.6·freeRatio + 0.25·trust +
   * 0.15·history. A better tier always has a higher value, and a pair at least as good in every part
   * never has a lower value than another, so the value never contradicts the ranking of comparePairs.
   */
  value: number;
  parts: PairParts;
  /** e.g. "load 1/5, trust 0.92, history 0.83, fallback-only" */
  explanation: string;
}

export interface Incapable {
  capable: false;
  agentId: string;
  /** e.g. "missing skills: x, y", "at capacity 2/2", "not active: draining", "cross-agent disallowed: …" */
  reason: string;
}

export interface ScoreOptions {
  /** The tensor scores full agents too (with a small free ratio); rounds never do. */
  ignoreCapacity?: boolean;
}

export type IncapableCode = 'not-active' | 'cross-agent' | 'missing-skills' | 'at-capacity';

/** Why `agent` cannot take `task`, or null if it can. Allocation-free: rounds call it per candidate. */
export function incapableCode(
  task: RoundTask,
  agent: RoundAgent,
  agentSkills: ReadonlySet<string>,
  policy: SchedulingPolicy,
  ignoreCapacity: boolean,
): IncapableCode | null {
  if (agent.state !== 'active') return 'not-active';
  if (!policy.policies.allowCrossAgent && task.lastAgentId !== null && task.lastAgentId !== agent.id) {
    return 'cross-agent';
  }
  for (const skill of task.skills) if (!agentSkills.has(skill)) return 'missing-skills';
  if (!ignoreCapacity && agent.active >= agent.maxParallel) return 'at-capacity';
  return null;
}

export function describeIncapable(
  code: IncapableCode,
  task: RoundTask,
  agent: RoundAgent,
  agentSkills: ReadonlySet<string>,
): string {
  switch (code) {
    case 'not-active':
      return `not active: ${agent.state}`;
    case 'cross-agent':
      return `cross-agent disallowed: the task is bound to agent ${task.lastAgentId ?? '?'}`;
    case 'missing-skills':
      return `missing skills: ${task.skills.filter((s) => !agentSkills.has(s)).join(', ')}`;
    case 'at-capacity':
      return `at capacity ${agent.active}/${agent.maxParallel}`;
  }
}

/** The parts of a pair that `incapableCode` accepted. */
export function pairParts(task: RoundTask, agent: RoundAgent, policy: SchedulingPolicy): PairParts {
  const free = agent.maxParallel > 0 ? (agent.maxParallel - agent.active) / agent.maxParallel : 0;
  let tier = 0;
  if (agent.trust < policy.security.trustThreshold) tier += TIER_UNTRUSTED;
  if (isFallbackOnly(task, agent, policy)) tier += TIER_FALLBACK_ONLY;
  return {
    freeRatio: Math.min(1, Math.max(0, free)),
    trust: agent.trust,
    history: historyScore(task.skills, agent.stats),
    tier,
    lastAssignedAt: agent.lastAssignedAt,
  };
}

/**
 * The last agent of a failed attempt is kept as a fallback only. When cross-agent retries are
 * disallowed it is the only possible agent, so the flag would say nothing and is not set.
 */
function isFallbackOnly(task: RoundTask, agent: RoundAgent, policy: SchedulingPolicy): boolean {
  return (
    policy.policies.fallbackOnError &&
    policy.policies.allowCrossAgent &&
    task.lastFailed &&
    task.lastAgentId === agent.id
  );
}

export function historyScore(skills: readonly string[], stats: RoundAgent['stats']): number {
  if (skills.length === 0) return 0.5;
  let sum = 0;
  for (const skill of skills) {
    const s = stats[skill];
    sum += s === undefined ? 0.5 : (s.succeeded + 1) / (s.succeeded + s.failed + 2);
  }
  return sum / skills.length;
}

export function pairValue(parts: PairParts): number {
  const inner =
    VALUE_WEIGHTS.freeRatio * parts.freeRatio +
    VALUE_WEIGHTS.trust * Math.min(1, Math.max(0, parts.trust)) +
    VALUE_WEIGHTS.history * parts.history;
  return (3 - parts.tier + inner) / 4;
}

/**
 * Lexicographic order of capable pairs, best first: tier, least loaded (free ratio), trust,
 * history, rotation (least recently assigned), then agent id so a round is deterministic.
 */
export function comparePairs(
  a: { agentId: string; parts: PairParts },
  b: { agentId: string; parts: PairParts },
): number {
  const pa = a.parts;
  const pb = b.parts;
  if (pa.tier !== pb.tier) return pa.tier - pb.tier;
  if (pa.freeRatio !== pb.freeRatio) return pb.freeRatio - pa.freeRatio;
  if (pa.trust !== pb.trust) return pb.trust - pa.trust;
  if (pa.history !== pb.history) return pb.history - pa.history;
  if (pa.lastAssignedAt !== pb.lastAssignedAt) return pa.lastAssignedAt - pb.lastAssignedAt;
  return a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0;
}

export function explainPair(agent: RoundAgent, parts: PairParts): string {
  const flags = [];
  if ((parts.tier & TIER_UNTRUSTED) !== 0) flags.push('untrusted');
  if ((parts.tier & TIER_FALLBACK_ONLY) !== 0) flags.push('fallback-only');
  return [
    `load ${agent.active}/${agent.maxParallel}`,
    `trust ${parts.trust.toFixed(2)}`,
    `history ${parts.history.toFixed(2)}`,
    ...flags,
  ].join(', ');
}

/** Scores one (task, agent) pair, or says why the agent cannot take the task. */
export function scorePair(
  task: RoundTask,
  agent: RoundAgent,
  policy: SchedulingPolicy,
  options: ScoreOptions = {},
): PairScore | Incapable {
  const skills = new Set(agent.skills);
  const code = incapableCode(task, agent, skills, policy, options.ignoreCapacity ?? false);
  if (code !== null) {
    return { capable: false, agentId: agent.id, reason: describeIncapable(code, task, agent, skills) };
  }
  const parts = pairParts(task, agent, policy);
  return {
    capable: true,
    agentId: agent.id,
    value: pairValue(parts),
    parts,
    explanation: explainPair(agent, parts),
  };
}
