/** The goal list's filters as the URL holds them (`?state=running,failed&template=analysis&q=…`). */
import { GOAL_STATES } from '../api/states.ts';

/** Goals that may still be cancelled: planned by a planner agent, or running. */
export const OPEN_GOAL_STATES: readonly string[] = ['planning', 'running'];

export interface GoalFilters {
  states: string[];
  template: string;
  q: string;
}

export function filtersFrom(query: URLSearchParams): GoalFilters {
  const states = (query.get('state') ?? '')
    .split(',')
    .filter((s) => (GOAL_STATES as readonly string[]).includes(s));
  return { states, template: query.get('template') ?? '', q: query.get('q') ?? '' };
}

/** The API's query for these filters (empty ones left out). */
export function apiFilter(f: GoalFilters): { state?: string; template?: string; q?: string } {
  return {
    ...(f.states.length > 0 ? { state: f.states.join(',') } : {}),
    ...(f.template !== '' ? { template: f.template } : {}),
    ...(f.q.trim() !== '' ? { q: f.q.trim() } : {}),
  };
}

/**
 * What bulk cancel takes: the open goals among those filtered. A state filter naming no open
 * state matches none (null); no state filter means every open goal.
 */
export function cancellableFilter(f: GoalFilters): { state: string; template?: string; q?: string } | null {
  const open =
    f.states.length === 0 ? OPEN_GOAL_STATES : f.states.filter((s) => OPEN_GOAL_STATES.includes(s));
  if (open.length === 0) return null;
  const { template, q } = apiFilter(f);
  return { state: open.join(','), ...(template ? { template } : {}), ...(q ? { q } : {}) };
}

export function describeFilters(f: GoalFilters): string {
  const parts = [
    f.states.length > 0 ? `state ${f.states.join(' or ')}` : '',
    f.template !== '' ? `template ${f.template}` : '',
    f.q.trim() !== '' ? `text “${f.q.trim()}”` : '',
  ].filter(Boolean);
  return parts.length === 0 ? 'all goals' : parts.join(', ');
}
