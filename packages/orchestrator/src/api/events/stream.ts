import type { Writable } from 'node:stream';
import type { EventKind, EventRecord } from '../../store/records.ts';
import { eventView } from '../views.ts';

/** Which events a stream client wants; every field narrows it. */
export interface StreamFilter {
  goalId?: string | undefined;
  taskId?: string | undefined;
  agentId?: string | undefined;
  kinds?: readonly EventKind[] | undefined;
}

export function matches(f: StreamFilter, e: EventRecord): boolean {
  return (
    (f.goalId === undefined || e.goalId === f.goalId) &&
    (f.taskId === undefined || e.taskId === f.taskId) &&
    (f.agentId === undefined || e.agentId === f.agentId) &&
    (f.kinds === undefined || f.kinds.includes(e.kind))
  );
}

/** One SSE message: the event's seq is its id, so `Last-Event-ID` resumes after it. */
export function sseMessage(e: EventRecord): string {
  return `id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(eventView(e))}\n\n`;
}

/**
 * Joins a backlog read from the store with live events that arrive while it is read: in seq
 * order, each once. Live events are held until `caughtUp`; then they pass straight through.
 * Subscribe to the live feed before reading the backlog, so nothing committed in between is lost.
 */
export class ResumeCursor {
  private held: EventRecord[] | null = [];

  /** `after`: the last seq the client has (Last-Event-ID); null for live events only. */
  constructor(private after: number | null) {
    if (after === null) this.held = null;
  }

  /** Whether the client resumes (it has a backlog to read before the live events). */
  get resuming(): boolean {
    return this.held !== null;
  }

  /** The seq the next backlog read continues after. */
  get position(): number {
    return this.after ?? 0;
  }

  /** A live event: what to send now. */
  live(e: EventRecord): EventRecord[] {
    if (this.held !== null) {
      this.held.push(e);
      return [];
    }
    return this.next([e]);
  }

  /** A page of the backlog (seq order): what to send now. */
  backlog(events: readonly EventRecord[]): EventRecord[] {
    return this.next(events);
  }

  /** The backlog is read: the live events held meanwhile that it did not cover. */
  caughtUp(): EventRecord[] {
    const held = this.held ?? [];
    this.held = null;
    return this.next(held);
  }

  private next(events: readonly EventRecord[]): EventRecord[] {
    const out = events.filter((e) => this.after === null || e.seq > this.after);
    const last = out.at(-1);
    if (last !== undefined) this.after = last.seq;
    return out;
  }
}

/**
 * Writes to one client's socket and drops a client that falls behind: once more than `maxBuffered`
 * bytes wait in its socket's buffer, it is closed (it resumes with Last-Event-ID) instead of being
 * buffered without bound.
 */
export class BoundedSink {
  private dropped = false;

  constructor(
    private readonly out: Writable,
    private readonly maxBuffered: number,
    private readonly onDrop: () => void,
  ) {}

  get open(): boolean {
    return !this.dropped && !this.out.destroyed && !this.out.writableEnded;
  }

  write(chunk: string): void {
    if (!this.open) return;
    this.out.write(chunk);
    if (this.out.writableLength > this.maxBuffered) {
      this.dropped = true;
      this.out.destroy();
      this.onDrop();
    }
  }
}
