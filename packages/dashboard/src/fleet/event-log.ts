import type { WireEvent } from '@kos/contracts';

/**
 * The event page's log, newest first, bounded to `limit` events in memory. While paused, arriving
 * events are buffered (also bounded) and counted instead of shown; resuming shows them. An event
 * at or below the highest seq already held is a duplicate and dropped, so a backfill that overlaps
 * the stream's first events cannot show one twice.
 */
export interface EventLog {
  /** Newest first. */
  shown: readonly WireEvent[];
  /** Received while paused, oldest first. */
  held: readonly WireEvent[];
  paused: boolean;
  /** Events received in all, and those let go to stay within `limit`. */
  received: number;
  dropped: number;
  maxSeq: number;
  limit: number;
}

export const LOG_LIMIT = 5000;

export function emptyLog(limit = LOG_LIMIT): EventLog {
  return { shown: [], held: [], paused: false, received: 0, dropped: 0, maxSeq: -1, limit };
}

export function receive(log: EventLog, events: readonly WireEvent[]): EventLog {
  const fresh: WireEvent[] = [];
  let maxSeq = log.maxSeq;
  for (const e of events) {
    if (e.seq <= maxSeq) continue;
    maxSeq = e.seq;
    fresh.push(e);
  }
  if (fresh.length === 0) return log;
  const received = log.received + fresh.length;
  if (log.paused) {
    const held = [...log.held, ...fresh];
    const over = Math.max(0, held.length - log.limit);
    return {
      ...log,
      held: over > 0 ? held.slice(over) : held,
      received,
      maxSeq,
      dropped: log.dropped + over,
    };
  }
  return { ...show(log, fresh), received, maxSeq };
}

export const pause = (log: EventLog): EventLog => (log.paused ? log : { ...log, paused: true });

export function resume(log: EventLog): EventLog {
  if (!log.paused) return log;
  return { ...show(log, log.held), held: [], paused: false };
}

/** Puts oldest-first `events` on top of the shown ones, keeping the newest `limit`. */
function show(log: EventLog, events: readonly WireEvent[]): EventLog {
  const all = [...events].reverse().concat(log.shown);
  const over = Math.max(0, all.length - log.limit);
  return { ...log, shown: over > 0 ? all.slice(0, log.limit) : all, dropped: log.dropped + over };
}
