import type { WireEvent } from '@kos/contracts';
import { EVENT_KINDS } from './states.ts';
import { withQuery } from './client.ts';

/** Every kind the server may send: SSE messages are named by their event kind. */
export { EVENT_KINDS };

export interface StreamFilter {
  goal_id?: string | undefined;
  task_id?: string | undefined;
  agent_id?: string | undefined;
  /** Comma-separated kinds. */
  kind?: string | undefined;
  /** Start after this seq (the first connection; reconnects resume by Last-Event-ID). */
  after?: number | undefined;
}

export type StreamState = 'connecting' | 'live' | 'reconnecting';

/**
 * GET /orchestration/events/stream through EventSource, which sends the session cookie and, on
 * every reconnect, the last seq it saw as Last-Event-ID: the server resumes from there without gaps
 * or duplicates. `lastSeq` also guards against a duplicate if a message is ever delivered twice.
 */
export function openStream(
  filter: StreamFilter,
  onEvents: (events: WireEvent[]) => void,
  onState: (state: StreamState) => void = () => {},
): () => void {
  const source = new EventSource(withQuery('/orchestration/events/stream', { ...filter }));
  let lastSeq = filter.after ?? -1;
  // Events arrive in bursts (a round leases many tasks): hand them over once per frame.
  let batch: WireEvent[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const out = batch;
    batch = [];
    if (out.length > 0) onEvents(out);
  };
  const onMessage = (m: MessageEvent<string>) => {
    const e = JSON.parse(m.data) as WireEvent;
    if (e.seq <= lastSeq) return;
    lastSeq = e.seq;
    batch.push(e);
    if (!scheduled) {
      scheduled = true;
      setTimeout(flush, 16);
    }
  };
  for (const kind of EVENT_KINDS) source.addEventListener(kind, onMessage);
  source.onopen = () => onState('live');
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'connecting' : 'reconnecting');
  onState('connecting');
  return () => {
    source.close();
    flush();
  };
}
