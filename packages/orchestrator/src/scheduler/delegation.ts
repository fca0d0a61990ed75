import type { Delegation } from './task.ts';

/**
 * Delegation chains, pure. An agent that holds a task may decline it or delegate it (naming the
 * agent it would hand it to, or not); each hand-off is one hop of the task's chain. Every agent in
 * the chain is excluded from the task from then on, so a chain can never come back to an agent
 * (loop detection), and a chain longer than `delegation.max_depth` ends the task.
 */

/** The agents that handed the task off: never given it again. */
export function chainAgents(chain: readonly Delegation[]): string[] {
  return [...new Set(chain.map((hop) => hop.agentId))];
}

/**
 * Why delegating the task held by `holder` to `to` would make a loop, or null if it would not:
 * to itself, or to an agent that already handed it off.
 */
export function loopOf(chain: readonly Delegation[], holder: string, to: string): string | null {
  if (to === holder) return 'an agent cannot delegate a task to itself';
  if (chain.some((hop) => hop.agentId === to)) {
    return `agent ${to} already handed this task off (it is in the delegation chain)`;
  }
  return null;
}

/** Whether a chain of this length has gone past the depth limit (the task dies then). */
export function beyondDepth(chain: readonly Delegation[], maxDepth: number): boolean {
  return chain.length > maxDepth;
}

/** The agent the latest hop named, if it delegated to one: preferred for the next lease. */
export function preferredAgent(chain: readonly Delegation[]): string | null {
  const last = chain.at(-1);
  return last?.action === 'delegated' ? last.to : null;
}
