import type { WireEvent } from '@kos/contracts';

/**
 * The event page's first view: the newest events of the log, from GET /orchestration/events,
 * which lists in seq order after a seq (no "newest first"). So the head of the log is found first
 * by probing `after` with `limit=1` (doubling, then halving: about 2·log2(head) small reads, ~40
 * for a million events), and only the last `keep` seqs are read, a page at a time. The stream then
 * opens `after` the returned cursor: nothing between the backfill and the stream is missed.
 */

/** The first event's seq after `after` (unfiltered), or null when there is none. */
export type FirstAfter = (after: number) => Promise<number | null>;
/** A page of the filtered log after `after`, and whether more follow. */
export type PageAfter = (after: number) => Promise<{ events: WireEvent[]; more: boolean }>;

/** How far above the last event headSeq may land (one page of the events route). */
const PRECISION = 1000;

/** A seq no event is after, within `precision` of the last event's seq (0 for an empty log). */
export async function headSeq(firstAfter: FirstAfter, precision = PRECISION): Promise<number> {
  const first = await firstAfter(0);
  if (first === null) return 0;
  // lo: an event exists at lo; hi: none after hi.
  let lo = first;
  let hi = Math.max(1024, first * 2);
  for (;;) {
    const s = await firstAfter(hi);
    if (s === null) break;
    lo = s;
    hi = s * 2;
  }
  while (hi - lo > precision) {
    const mid = Math.floor((lo + hi) / 2);
    const s = await firstAfter(mid);
    if (s === null) hi = mid;
    else lo = s;
  }
  return hi;
}

export interface Backfill {
  /** Oldest first, at most `keep`, each matching the filter. */
  events: WireEvent[];
  /** Open the stream after this seq. */
  cursor: number;
  /** The first seq the backfill looked at (events before it were not read). */
  from: number;
}

export async function backfill(
  firstAfter: FirstAfter,
  pageAfter: PageAfter,
  opts: { keep: number; match?: (e: WireEvent) => boolean },
): Promise<Backfill> {
  const head = await headSeq(firstAfter);
  // The head may be PRECISION above the last event: read that much more, keep `keep`.
  const from = Math.max(0, head - opts.keep - PRECISION);
  let events: WireEvent[] = [];
  let after = from;
  for (;;) {
    const page = await pageAfter(after);
    for (const e of page.events) if (opts.match === undefined || opts.match(e)) events.push(e);
    const last = page.events[page.events.length - 1];
    if (last !== undefined) after = last.seq;
    if (!page.more || last === undefined) break;
  }
  if (events.length > opts.keep) events = events.slice(events.length - opts.keep);
  return { events, cursor: after, from };
}
