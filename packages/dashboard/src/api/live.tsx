import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import type { WireEvent } from '@kos/contracts';
import { openStream, type StreamState } from './stream.ts';

type Listener = (events: WireEvent[]) => void;

export interface Live {
  state: StreamState;
  /** The highest seq seen on the shared stream. */
  lastSeq: number | null;
  subscribe(fn: Listener): () => void;
}

const LiveContext = createContext<Live | null>(null);

/** One shared, unfiltered event stream for the whole app while signed in; pages subscribe to it. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<StreamState>('connecting');
  const [lastSeq, setLastSeq] = useState<number | null>(null);
  const listeners = useRef(new Set<Listener>());
  useEffect(
    () =>
      openStream(
        {},
        (events) => {
          setLastSeq(events[events.length - 1]!.seq);
          for (const fn of listeners.current) fn(events);
        },
        setState,
      ),
    [],
  );
  // Stable across renders, so subscribers do not resubscribe on every event.
  const subscribe = useCallback((fn: Listener) => {
    listeners.current.add(fn);
    return () => void listeners.current.delete(fn);
  }, []);
  const live = useMemo<Live>(() => ({ state, lastSeq, subscribe }), [state, lastSeq, subscribe]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (live === null) throw new Error('useLive outside LiveProvider');
  return live;
}
