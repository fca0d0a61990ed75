import type { Envelope } from './envelope.ts';

export interface ReplayGuardOptions {
  /** Accepted clock difference between a frame's `ts` and ours, both ways. Default 60 000. */
  windowMs?: number;
  /** Most frame ids remembered at once. Default 10 000. */
  maxIds?: number;
}

export type ReplayRefusal = 'ts_past' | 'ts_future' | 'id' | 'seq';
export type ReplayVerdict =
  { ok: true } | { ok: false; code: 'KOS_ERR_REPLAY'; kind: ReplayRefusal; reason: string };

/**
 * Replay guard of one session (one sender): a frame is accepted when its `ts` is within ±windowMs
 * of `now`, its `id` was not accepted before and its `seq` is above the last accepted one. A
 * refused frame leaves the guard unchanged.
 *
 * Memory is bounded: an id is remembered until its `ts` leaves the window (after that the ts check
 * refuses the frame anyway) and at most `maxIds` ids are kept, the oldest dropped first. The seq
 * check alone already refuses any replay within the session; the id check is a second line that
 * also holds if a sender's seq ever restarted.
 */
export class ReplayGuard {
  readonly windowMs: number;
  readonly maxIds: number;
  private lastSeq = 0;
  private readonly known = new Set<string>();
  /**
   * Accepted ids, oldest first, from `head` on, with the time their frame leaves the window. A queue
   * with a moving head, not Map deletion from the front: V8 leaves holes a Map iteration must skip
   * (measured 17 µs per check at 10 000 ids; now under 1 µs).
   */
  private queue: { id: string; expiresAt: number }[] = [];
  private head = 0;

  constructor(options: ReplayGuardOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxIds = Math.max(1, options.maxIds ?? 10_000);
  }

  check(env: Envelope, now: number): ReplayVerdict {
    const skew = env.ts - now;
    if (!(skew >= -this.windowMs)) {
      return refuse(
        'ts_past',
        `ts ${env.ts} is ${now - env.ts} ms behind our clock (window ±${this.windowMs} ms)`,
      );
    }
    if (!(skew <= this.windowMs)) {
      return refuse(
        'ts_future',
        `ts ${env.ts} is ${skew} ms ahead of our clock (window ±${this.windowMs} ms)`,
      );
    }
    this.forgetExpired(now);
    if (this.known.has(env.id)) return refuse('id', `frame id ${env.id} was already accepted`);
    if (!(env.seq > this.lastSeq)) {
      return refuse('seq', `seq ${env.seq} is not above the last accepted seq ${this.lastSeq}`);
    }
    this.lastSeq = env.seq;
    if (this.known.size >= this.maxIds) this.forgetOldest();
    this.known.add(env.id);
    this.queue.push({ id: env.id, expiresAt: env.ts + this.windowMs });
    return { ok: true };
  }

  /** The last accepted seq (0 before the first frame). */
  get lastAcceptedSeq(): number {
    return this.lastSeq;
  }

  /** How many frame ids are remembered now. */
  get rememberedIds(): number {
    return this.known.size;
  }

  /** Drops ids from the front while they are expired; amortised O(1) since frames arrive in ts order. */
  private forgetExpired(now: number): void {
    for (
      let first = this.queue[this.head];
      first !== undefined && first.expiresAt < now;
      first = this.queue[this.head]
    ) {
      this.forgetOldest();
    }
  }

  private forgetOldest(): void {
    const first = this.queue[this.head];
    if (first === undefined) return;
    this.known.delete(first.id);
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head); // compact: the queue stays under 2 × maxIds + 1024
      this.head = 0;
    }
  }
}

function refuse(kind: ReplayRefusal, reason: string): ReplayVerdict {
  return { ok: false, code: 'KOS_ERR_REPLAY', kind, reason };
}
