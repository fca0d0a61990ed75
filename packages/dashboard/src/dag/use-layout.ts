import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { LayoutRequest, Positions } from './layout.ts';
import type { LayoutAnswer, LayoutMessage } from './layout.worker.ts';

/**
 * Lays the DAG out in a Web Worker whenever its structure (`key`) changes, never on the main
 * thread. While a new layout is computed the previous positions stay on screen; an answer for a
 * key no longer wanted is kept only until the wanted one arrives.
 */
export function useLayout(
  request: LayoutRequest,
  key: string,
): { positions: Positions | null; key: string | null } {
  const worker = useRef<Worker | null>(null);
  const [laidOut, setLaidOut] = useState<{ key: string; positions: Positions } | null>(null);
  useEffect(() => {
    const w = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (m: MessageEvent<LayoutAnswer>) => setLaidOut(m.data);
    w.onerror = (e) => console.error('DAG layout failed', e.message);
    worker.current = w;
    return () => {
      w.terminate();
      worker.current = null;
    };
  }, []);
  const current = useEffectEvent(() => request);
  useEffect(() => {
    const message: LayoutMessage = { key, request: current() };
    worker.current?.postMessage(message);
  }, [key]);
  return { positions: laidOut?.positions ?? null, key: laidOut?.key ?? null };
}
