import type { Config } from '../config/types.ts';
import type { Agent } from '../registry/agent.ts';
import { AGENT_BREAKER } from './breaker.ts';
import type { Task } from './task.ts';

/** A ready task as an assignment round sees it. */
export type RoundTask = Pick<
  Task,
  'id' | 'goalId' | 'skills' | 'priority' | 'readyKey' | 'lastAgentId' | 'attempts'
> & {
  /** The previous attempt failed on `lastAgentId` (feeds policies.fallbackOnError). */
  lastFailed: boolean;
  /** The task's concurrency key (task.policy.concurrency): at most `limit` leased at once. */
  concurrency: { key: string; limit: number } | null;
  /** Agents that declined or delegated the task (its delegation chain): never given it again. */
  excludedAgents?: readonly string[] | undefined;
  /** The agent its latest delegation named: it gets the task whenever it can take it. */
  preferredAgent?: string | null | undefined;
  /** policy.experimental: agents below security.trust_threshold may take it (absent: false). */
  experimental?: boolean | undefined;
};

/** An agent as an assignment round sees it. */
export type RoundAgent = Pick<
  Agent,
  'id' | 'skills' | 'maxParallel' | 'state' | 'trust' | 'stats' | 'lastAssignedAt'
> & {
  /** Leases it holds now. */
  active: number;
  /**
   * Leases its circuit breakers still let through this round, by breaker key (`*`: any task, else
   * a skill): 0 while open, the probes left while half-open. A key not listed (or no record) is closed.
   */
  breakers?: Readonly<Record<string, number>> | undefined;
};

export interface SchedulingPolicy {
  policies: Config['policies'];
  security: Pick<Config['security'], 'trustThreshold'>;
}

/**
 * Tier flag, lower is better: 0 preferred, 1 fallback-only (policies.fallback_on_error only
 * *prefers* another agent). Trust is no tier: an agent below security.trust_threshold is not a
 * candidate at all for a task that is not experimental.
 */
export const TIER_FALLBACK_ONLY = 1;

/** Weights of the numeric value within a tier (they sum to 1). */
export const VALUE_WEIGHTS = { freeRatio: 0.6, trust: 0.25, history: 0.15 } as const;

export interface PairParts {
  /** Free slots / maxParallel, in [0, 1]: 1 is idle. */
  freeRatio: number;
  trust: number;
  /** Laplace-smoothed success rate (s+1)/(s+f+2) averaged over the task's skills; 0.5 with no history. */
  history: number;
  /** 0 or 1, lower first; see TIER_FALLBACK_ONLY. */
  tier: number;
  /** The rotation tie-break: the least recently assigned agent goes first. */
  lastAssignedAt: number;
}

export interface PairScore {
  capable: true;
  agentId: string;
  /**
   * In [0.5, 1], for the tensor: (3 − tier + inner) / 4 with inner = 0.6·freeRatio + 0.25·trust +
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

export type IncapableCode =
  'not-active' | 'cross-agent' | 'excluded' | 'missing-skills' | 'breaker-open' | 'untrusted' | 'at-capacity';

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
  if (task.excludedAgents?.includes(agent.id)) return 'excluded';
  for (const skill of task.skills) if (!agentSkills.has(skill)) return 'missing-skills';
  if (!breakersAllow(agent, task.skills)) return 'breaker-open';
  if (!trustAllows(task, agent, policy)) return 'untrusted';
  if (!ignoreCapacity && agent.active >= agent.maxParallel) return 'at-capacity';
  return null;
}

/** Whether the agent's breakers for a task of these skills (its own `*` and each skill's) let one more lease through. */
export function breakersAllow(agent: RoundAgent, skills: readonly string[]): boolean {
  const budgets = agent.breakers;
  if (budgets === undefined) return true;
  if ((budgets[AGENT_BREAKER] ?? 1) <= 0) return false;
  for (const skill of skills) if ((budgets[skill] ?? 1) <= 0) return false;
  return true;
}

/**
 * The breaker budgets after one more lease of a task of these skills: each limited breaker it
 * passes lets one lease fewer through. A new record when one changed; the input is kept.
 */
export function spendBreakers(
  budgets: RoundAgent['breakers'],
  skills: readonly string[],
): RoundAgent['breakers'] {
  if (budgets === undefined) return budgets;
  let spent: Record<string, number> | null = null;
  for (const key of [AGENT_BREAKER, ...skills]) {
    const left = (spent ?? budgets)[key];
    if (left === undefined) continue;
    spent ??= { ...budgets };
    spent[key] = left - 1;
  }
  return spent ?? budgets;
}

/**
 * Below security.trust_threshold an agent runs experimental tasks only, except a probe of a
 * half-open breaker: the probe is the experiment, and without it a failing agent whose trust fell
 * below the threshold before its lifecycle.quarantine_threshold-th failure would idle forever
 * instead of being probed and, if it keeps failing, quarantined.
 */
export function trustAllows(
  task: Pick<RoundTask, 'experimental'> & { skills: readonly string[] },
  agent: Pick<RoundAgent, 'trust' | 'breakers'>,
  policy: SchedulingPolicy,
): boolean {
  return (
    task.experimental === true || agent.trust >= policy.security.trustThreshold || probing(agent, task.skills)
  );
}

/** Whether a lease of these skills would be a probe: a half-open breaker it passes has budget left. */
function probing(agent: Pick<RoundAgent, 'breakers'>, skills: readonly string[]): boolean {
  const budgets = agent.breakers;
  if (budgets === undefined) return false;
  return [AGENT_BREAKER, ...skills].some((key) => (budgets[key] ?? 0) > 0);
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
    case 'excluded':
      return 'excluded: it declined or delegated the task';
    case 'missing-skills':
      return `missing skills: ${task.skills.filter((s) => !agentSkills.has(s)).join(', ')}`;
    case 'breaker-open':
      return `circuit breaker open: ${closedKeys(agent, task.skills).join(', ')}`;
    case 'untrusted':
      return `trust ${agent.trust.toFixed(2)} is below the threshold and the task is not experimental`;
    case 'at-capacity':
      return `at capacity ${agent.active}/${agent.maxParallel}`;
  }
}

function closedKeys(agent: RoundAgent, skills: readonly string[]): string[] {
  return [AGENT_BREAKER, ...skills].filter((k) => (agent.breakers?.[k] ?? 1) <= 0);
}

/** The parts of a pair that `incapableCode` accepted. */
export function pairParts(task: RoundTask, agent: RoundAgent, policy: SchedulingPolicy): PairParts {
  const free = agent.maxParallel > 0 ? (agent.maxParallel - agent.active) / agent.maxParallel : 0;
  return {
    freeRatio: Math.min(1, Math.max(0, free)),
    trust: agent.trust,
    history: historyScore(task.skills, agent.stats),
    tier: isFallbackOnly(task, agent, policy) ? TIER_FALLBACK_ONLY : 0,
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
