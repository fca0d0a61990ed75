import { useCallback, useEffect, useState } from 'react';
import type { WireGoal } from '@kos/contracts';
import { api } from '../api/client.ts';
import { mergeFirstPage } from './virtual.ts';

const PAGE = 200;

/** The filter travels as its JSON (`key`), so a new object with the same filters is the same list. */
const parse = (key: string) => JSON.parse(key) as Record<string, string>;

interface Pages {
  key: string;
  goals: WireGoal[];
  next: string | null;
  error: unknown;
}

/**
 * The goal list under `filter`, a page at a time (`next`): the first page loads when the filter
 * changes, `loadMore` appends the next, `refresh` merges a fresh first page in (live updates).
 */
export function useGoalPages(filter: Record<string, string>) {
  const key = JSON.stringify(filter);
  const [pages, setPages] = useState<Pages | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let current = true;
    api.goals({ ...parse(key), limit: PAGE }).then(
      (r) => current && setPages({ key, goals: r.goals, next: r.next, error: undefined }),
      (error: unknown) => current && setPages({ key, goals: [], next: null, error }),
    );
    return () => {
      current = false;
    };
  }, [key]);
  const mine = pages !== null && pages.key === key ? pages : null;
  const next = mine?.next ?? null;
  const loadMore = useCallback(() => {
    if (next === null || busy) return;
    setBusy(true);
    api.goals({ ...parse(key), limit: PAGE, after: next }).then(
      (r) => {
        setBusy(false);
        setPages((p) => (p?.key === key ? { ...p, goals: [...p.goals, ...r.goals], next: r.next } : p));
      },
      (error: unknown) => {
        setBusy(false);
        setPages((p) => (p?.key === key ? { ...p, error } : p));
      },
    );
  }, [key, next, busy]);
  const refresh = useCallback(() => {
    api.goals({ ...parse(key), limit: PAGE }).then(
      (r) =>
        setPages((p) =>
          p?.key === key ? { ...p, goals: mergeFirstPage(p.goals, r.goals), error: undefined } : p,
        ),
      () => {},
    );
  }, [key]);
  return {
    goals: mine?.goals ?? [],
    loading: mine === null,
    error: mine?.error,
    hasMore: next !== null,
    loadingMore: busy,
    loadMore,
    refresh,
  };
}
