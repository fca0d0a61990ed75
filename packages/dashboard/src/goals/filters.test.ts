import { describe, expect, it } from 'vitest';
import { apiFilter, cancellableFilter, describeFilters, filtersFrom } from './filters.ts';

describe('goal filters', () => {
  it('reads known states, template and text from the URL and drops the rest', () => {
    const f = filtersFrom(new URLSearchParams('state=running,bogus,failed&template=analysis&q=%20data%20'));
    expect(f).toEqual({ states: ['running', 'failed'], template: 'analysis', q: ' data ' });
    expect(apiFilter(f)).toEqual({ state: 'running,failed', template: 'analysis', q: 'data' });
    expect(describeFilters(f)).toBe('state running or failed, template analysis, text “data”');
  });

  it('cancels only open goals (planning or running), and none when the state filter leaves them out', () => {
    expect(cancellableFilter(filtersFrom(new URLSearchParams('q=x')))).toEqual({
      state: 'planning,running',
      q: 'x',
    });
    expect(cancellableFilter(filtersFrom(new URLSearchParams('state=failed,planning')))).toEqual({
      state: 'planning',
    });
    expect(cancellableFilter(filtersFrom(new URLSearchParams('state=failed')))).toBeNull();
    expect(apiFilter(filtersFrom(new URLSearchParams('')))).toEqual({});
  });
});
