import type { AgentState, BreakerState, WireAgent } from '@kos/contracts';

/** The fleet table's view of agents: filtering, load and breakers, shaped for display. */

export const AGENT_STATES: readonly AgentState[] = [
  'active',
  'draining',
  'lost',
  'quarantined',
  'unregistered',
];

export interface AgentFilter {
  state?: string | undefined;
  /** Matched, in any case, against the name, id, skills and quarantine reason. */
  text?: string | undefined;
}

/** The agents the filter keeps, by name (then id), so rows keep their places across refreshes. */
export function filterAgents(agents: readonly WireAgent[], filter: AgentFilter): WireAgent[] {
  const text = (filter.text ?? '').trim().toLowerCase();
  const kept = agents.filter((a) => {
    if (filter.state !== undefined && filter.state !== '' && a.state !== filter.state) return false;
    if (text === '') return true;
    const haystack = [a.name, a.id, ...a.skills, a.health.quarantine?.reason ?? ''];
    return haystack.some((s) => s.toLowerCase().includes(text));
  });
  return kept.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** Agents by state, every state present (0 when none), in AGENT_STATES order. */
export function countByState(agents: readonly WireAgent[]): [AgentState, number][] {
  const counts = new Map<AgentState, number>(AGENT_STATES.map((s) => [s, 0]));
  for (const a of agents) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
  return [...counts];
}

/** Leases held over capacity, 0–1 (over 1 if it holds more than its capacity, shown as is). */
export function loadRatio(agent: Pick<WireAgent, 'active_leases' | 'max_parallel'>): number {
  return agent.active_leases / agent.max_parallel;
}

export interface BreakerView {
  /** `agent` for the agent as a whole (`*`), else the skill. */
  key: string;
  state: BreakerState;
  failures: number;
}

/** Breakers not closed first (open, then half open), the agent-wide one before skills. */
export function breakerViews(agent: Pick<WireAgent, 'health'>): BreakerView[] {
  const rank: Record<BreakerState, number> = { open: 0, half_open: 1, closed: 2 };
  return Object.entries(agent.health.breakers)
    .map(([key, b]) => ({ key: key === '*' ? 'agent' : key, state: b.state, failures: b.failures }))
    .sort(
      (a, b) =>
        rank[a.state] - rank[b.state] ||
        Number(b.key === 'agent') - Number(a.key === 'agent') ||
        a.key.localeCompare(b.key),
    );
}

/** Which actions the agent's state allows (the role is checked separately, with session.may). */
export function agentActions(state: AgentState): { release: boolean; quarantine: boolean; drain: boolean } {
  return {
    release: state === 'quarantined',
    quarantine: state !== 'quarantined' && state !== 'unregistered',
    drain: state === 'active',
  };
}

/** Mean time of a successful task of the skill, in ms (total_ms sums successes only); null without one. */
export function meanMs(stats: { succeeded: number; total_ms: number }): number | null {
  return stats.succeeded === 0 ? null : Math.round(stats.total_ms / stats.succeeded);
}

/** Successes over finished tasks of the skill, 0–1; null without one. */
export function successRatio(stats: { succeeded: number; failed: number }): number | null {
  const n = stats.succeeded + stats.failed;
  return n === 0 ? null : stats.succeeded / n;
}
