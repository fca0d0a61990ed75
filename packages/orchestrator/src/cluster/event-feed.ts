import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EventRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import type { Coordinator } from './coordinator.ts';

/** Events read per query while catching up. */
const PAGE = 500;

export type EventListener = (event: EventRecord) => void;

/**
 * The live event stream of the whole store, for dashboards (SSE) and other watchers: every event
 * committed after a listener subscribed, by this replica or any other sharing the store, in seq
 * order and once each.
 *
 * How: the feed tails the event log from its own high-water mark (`listEvents({ afterSeq })`).
 * It is woken by this replica's commits (the store's effects) and by other replicas' notices on
 * the coordinator's `events` channel, which each replica sends after a commit with events. Seqs
 * are strictly increasing in commit order per backend (store/backend.ts), so nothing can appear
 * below the mark later: reading past it misses nothing and repeats nothing. A notice only says
 * "read again", so it carries no seq and wake-ups coalesce: one read (and one notice) in flight
 * at a time, and one more after it if woken meanwhile.
 *
 * The feed reads only while it has listeners; the first listener starts it at the newest event.
 */
export class EventFeed {
  private readonly listeners = new Set<EventListener>();
  /** The seq of the last event delivered; null while nobody listens. */
  private highWater: number | null = null;
  /** Bumped whenever following stops, so a read started before then delivers nothing. */
  private generation = 0;
  private starting: Promise<void> | null = null;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private noticeInFlight = false;
  private noticeAgain = false;
  private closed = false;
  private readonly replica = randomUUID();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly coordinator: Coordinator,
    private readonly log: Logger,
  ) {
    this.unsubscribe = store.effects.subscribe((e) => {
      if (e.events.length === 0) return;
      this.wake();
      this.notify();
    });
    coordinator.subscribe('events', (payload) => {
      if (this.fromPeer(payload)) this.wake();
    });
  }

  /**
   * Delivers every event committed from now on to `listener`, synchronously and in seq order
   * (a listener that throws is logged and kept). Resolves once the listener is following: each
   * event committed after that reaches it. Resolves to the function that unsubscribes.
   */
  async subscribe(listener: EventListener): Promise<() => void> {
    const entry: EventListener = (e) => listener(e);
    this.listeners.add(entry);
    const stop = () => {
      this.listeners.delete(entry);
      if (this.listeners.size > 0) return;
      this.highWater = null;
      this.generation++;
    };
    try {
      // A start begun for listeners that have all left since does not count: start again.
      while (this.highWater === null && this.listeners.has(entry)) await this.follow();
    } catch (err) {
      stop();
      throw err;
    }
    return stop;
  }

  /** Stops delivering and waits for a read in flight (call before the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    this.listeners.clear();
    this.highWater = null;
    this.generation++;
    await Promise.all([this.starting, this.reading]).catch(() => undefined);
  }

  private follow(): Promise<void> {
    if (this.highWater !== null) return Promise.resolve();
    const generation = this.generation;
    this.starting ??= this.store
      .read((tx) => tx.lastEventSeq())
      .then((seq) => {
        if (this.generation !== generation || this.listeners.size === 0) return;
        this.highWater ??= seq;
        // A commit that woke the feed while it was starting is read now, not at the next one.
        this.wake();
      })
      .finally(() => (this.starting = null));
    return this.starting;
  }

  private fromPeer(payload: string): boolean {
    try {
      return (JSON.parse(payload) as { from?: unknown }).from !== this.replica;
    } catch {
      return false;
    }
  }

  /** Reads what was committed past the high-water mark; coalesces calls made while it reads. */
  private wake(): void {
    if (this.highWater === null || this.closed) return;
    if (this.reading !== null) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readNew()
      .catch((err: unknown) => this.log.warn({ err }, 'event feed: could not read new events'))
      .finally(() => {
        this.reading = null;
        if (this.readAgain) {
          this.readAgain = false;
          this.wake();
        }
      });
  }

  private async readNew(): Promise<void> {
    const generation = this.generation;
    for (;;) {
      const after = this.highWater;
      if (after === null || this.generation !== generation) return;
      const page = await this.store.read((tx) => tx.listEvents({ afterSeq: after, limit: PAGE }));
      for (const event of page) {
        if (this.generation !== generation) return;
        this.highWater = event.seq;
        this.deliver(event);
      }
      if (page.length < PAGE) return;
    }
  }

  private deliver(event: EventRecord): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, seq: event.seq }, 'event feed listener failed');
      }
    }
  }

  /** Tells the other replicas that this one committed events (one notice in flight at a time). */
  private notify(): void {
    if (!this.coordinator.shared || this.closed) return;
    if (this.noticeInFlight) {
      this.noticeAgain = true;
      return;
    }
    this.noticeInFlight = true;
    this.coordinator
      .publish('events', JSON.stringify({ from: this.replica }))
      .catch((err: unknown) => this.log.warn({ err }, 'event feed: could not tell the other replicas'))
      .finally(() => {
        this.noticeInFlight = false;
        if (this.noticeAgain) {
          this.noticeAgain = false;
          this.notify();
        }
      });
  }
}
