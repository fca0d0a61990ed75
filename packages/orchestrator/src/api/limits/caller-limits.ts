import { TokenBucket } from './token-bucket.ts';

/** The limits of one class of callers (bearer tokens, or addresses without credentials). */
export interface CallerClass {
  ratePerS: number;
  burst: number;
  maxConcurrent: number;
}

/** Why a request was refused, as counted by kos_limit_refusals_total{kind}. */
export type RefusalKind = 'token_rate' | 'token_concurrency' | 'ip_rate' | 'ip_concurrency' | 'overloaded';

export type Admission =
  { ok: true; release: () => void } | { ok: false; kind: RefusalKind; retryAfterMs: number };

interface CallerState {
  bucket: TokenBucket;
  inFlight: number;
}

/**
 * Rate and concurrency per caller key, plus one cap on requests in flight overall. Pure (time is
 * passed in). Its memory is bounded: at most `maxTracked` callers are remembered, the least
 * recently seen forgotten first (a forgotten caller starts again with a full bucket, which only
 * ever admits more, never refuses an honest caller).
 */
export class CallerLimits {
  private readonly callers = new Map<string, CallerState>();
  private inFlight = 0;

  constructor(private readonly options: { maxConcurrentTotal: number; maxTracked: number }) {}

  /** Admits one request of `key` (e.g. `token:<id>`, `ip:<addr>`) under `limits`, or says why not. */
  admit(key: string, limits: CallerClass, now: number, scope: 'token' | 'ip'): Admission {
    if (this.inFlight >= this.options.maxConcurrentTotal) {
      return { ok: false, kind: 'overloaded', retryAfterMs: 1000 };
    }
    const state = this.stateOf(key, limits, now);
    if (state.inFlight >= limits.maxConcurrent) {
      return { ok: false, kind: `${scope}_concurrency`, retryAfterMs: 1000 };
    }
    const wait = state.bucket.take(now);
    if (wait > 0) return { ok: false, kind: `${scope}_rate`, retryAfterMs: wait };
    state.inFlight += 1;
    this.inFlight += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        state.inFlight -= 1;
        this.inFlight -= 1;
      },
    };
  }

  /** Requests admitted and not yet released. */
  get active(): number {
    return this.inFlight;
  }

  /** Callers remembered (bounded by maxTracked). */
  get tracked(): number {
    return this.callers.size;
  }

  private stateOf(key: string, limits: CallerClass, now: number): CallerState {
    let state = this.callers.get(key);
    if (state) {
      // Re-inserted so the Map's order is least recently seen first.
      this.callers.delete(key);
    } else {
      state = { bucket: new TokenBucket(limits.ratePerS, limits.burst, now), inFlight: 0 };
      if (this.callers.size >= this.options.maxTracked) this.forgetOldest(now);
    }
    this.callers.set(key, state);
    return state;
  }

  /**
   * Forgets one of the least recently seen callers: an idle one with a full bucket among the
   * oldest few if any (looking no further, so a flood of new addresses costs O(1) each), else
   * the oldest.
   */
  private forgetOldest(now: number): void {
    let looked = 0;
    for (const [key, state] of this.callers) {
      if (state.inFlight === 0 && state.bucket.full(now)) {
        this.callers.delete(key);
        return;
      }
      if (++looked >= 32) break;
    }
    const oldest = this.callers.keys().next();
    if (oldest.done !== true) this.callers.delete(oldest.value);
  }
}
