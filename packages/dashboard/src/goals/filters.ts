/** The goal list's filters as the URL holds them (`?state=running,failed&template=analysis&q=…`). */

export const GOAL_STATES = ['running', 'succeeded', 'failed', 'cancelled'] as const;

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
 * What bulk cancel takes: the open goals among those filtered. Only `running` goals are open, so
 * a state filter without it matches none (null), and no state filter means the running ones.
 */
export function cancellableFilter(
  f: GoalFilters,
): { state: 'running'; template?: string; q?: string } | null {
  if (f.states.length > 0 && !f.states.includes('running')) return null;
  const { template, q } = apiFilter(f);
  return { state: 'running', ...(template ? { template } : {}), ...(q ? { q } : {}) };
}

export function describeFilters(f: GoalFilters): string {
  const parts = [
    f.states.length > 0 ? `state ${f.states.join(' or ')}` : '',
    f.template !== '' ? `template ${f.template}` : '',
    f.q.trim() !== '' ? `text “${f.q.trim()}”` : '',
  ].filter(Boolean);
  return parts.length === 0 ? 'all goals' : parts.join(', ');
}
