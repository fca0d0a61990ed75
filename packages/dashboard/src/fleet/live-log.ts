import type { WireEvent } from '@kos/contracts';
import { api } from '../api/client.ts';
import { openStream, type StreamFilter, type StreamState } from '../api/stream.ts';
import { backfill } from './backfill.ts';

export interface LogFilter {
  goal_id?: string | undefined;
  task_id?: string | undefined;
  agent_id?: string | undefined;
  /** Comma-separated kinds. */
  kind?: string | undefined;
}

export type LiveLogState = StreamState | 'backfilling';

/**
 * The event page's own stream: the backfill (GET /orchestration/events, newest `keep`), then
 * GET /orchestration/events/stream after the backfill's cursor. EventSource resumes by itself with
 * Last-Event-ID after a dropped connection; if it gives up (the server answered an error while
 * restarting) this opens a new one after the last seq received, two seconds later. Returns close.
 */
export function openLiveLog(
  filter: LogFilter,
  keep: number,
  on: {
    events(events: WireEvent[]): void;
    state(state: LiveLogState): void;
    backfilled(from: number): void;
    error(error: unknown): void;
  },
): () => void {
  let closed = false;
  let closeStream = () => {};
  let retry: ReturnType<typeof setTimeout> | null = null;
  const ids = { goal_id: filter.goal_id, task_id: filter.task_id, agent_id: filter.agent_id };
  const kinds = filter.kind === undefined || filter.kind === '' ? null : filter.kind.split(',');
  on.state('backfilling');

  let last = 0;
  const open = () => {
    let starting = true;
    const streamFilter: StreamFilter = { ...ids, kind: filter.kind, after: last };
    closeStream = openStream(
      streamFilter,
      (events) => {
        last = events[events.length - 1]!.seq;
        on.events(events);
      },
      (state) => {
        on.state(state);
        // 'connecting' after the start: the EventSource closed for good.
        if (state === 'connecting' && !starting && !closed && retry === null) {
          closeStream();
          retry = setTimeout(() => {
            retry = null;
            if (!closed) open();
          }, 2000);
        }
      },
    );
    starting = false;
  };

  backfill(
    async (after) => (await api.events({ after, limit: 1 })).events[0]?.seq ?? null,
    async (after) => {
      const page = await api.events({ ...ids, after, limit: 1000 });
      return { events: page.events, more: page.next !== null };
    },
    { keep, ...(kinds === null ? {} : { match: (e: WireEvent) => kinds.includes(e.kind) }) },
  ).then(
    (b) => {
      if (closed) return;
      on.backfilled(b.from);
      if (b.events.length > 0) on.events(b.events);
      last = b.cursor;
      open();
    },
    (error: unknown) => {
      if (!closed) on.error(error);
    },
  );

  return () => {
    closed = true;
    if (retry !== null) clearTimeout(retry);
    closeStream();
  };
}
