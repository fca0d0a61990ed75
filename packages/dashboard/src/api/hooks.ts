import { useCallback, useEffect, useEffectEvent, useState } from 'react';
import type { WireEvent } from '@kos/contracts';
import { useLive } from './live.tsx';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `fetcher()` when `key` changes and on `reload()`; keeps the data of the same key while
 * reloading, so a live page does not flash. A stale answer (key changed meanwhile) is dropped.
 */
export function useApi<T>(fetcher: () => Promise<T>, key: string): Loaded<T> {
  const [tick, setTick] = useState(0);
  const wanted = `${tick}:${key}`;
  // `of`: which request the state answers; loading until the wanted one has answered.
  const [state, setState] = useState<{ data: T | undefined; error: unknown; of: string; key: string | null }>(
    {
      data: undefined,
      error: undefined,
      of: '',
      key: null,
    },
  );
  const fetch = useEffectEvent(fetcher);
  useEffect(() => {
    let current = true;
    fetch().then(
      (data) => current && setState({ data, error: undefined, of: wanted, key }),
      (error: unknown) => current && setState((s) => ({ data: s.data, error, of: wanted, key })),
    );
    return () => {
      current = false;
    };
  }, [wanted, key]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // Another key's data is never shown as this one's (going from one goal to the next).
  const mine = state.key === key;
  return {
    data: mine ? state.data : undefined,
    error: mine ? state.error : undefined,
    loading: state.of !== wanted,
    reload,
  };
}

/**
 * Calls `onChange` (at most every `minIntervalMs`) when a committed event matching `match` arrives
 * on the shared live stream: pages reload what they show instead of polling.
 */
export function useLiveRefresh(
  match: (e: WireEvent) => boolean,
  onChange: () => void,
  minIntervalMs = 250,
): void {
  const { subscribe } = useLive();
  const matches = useEffectEvent((events: WireEvent[]) => events.some(match));
  const changed = useEffectEvent(onChange);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const fire = () => {
      timer = null;
      last = Date.now();
      changed();
    };
    const off = subscribe((events) => {
      if (timer !== null || !matches(events)) return;
      timer = setTimeout(fire, Math.max(0, last + minIntervalMs - Date.now()));
    });
    return () => {
      off();
      if (timer !== null) clearTimeout(timer);
    };
  }, [subscribe, minIntervalMs]);
}
