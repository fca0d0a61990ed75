/**
 * A token bucket: `ratePerS` tokens a second refill it up to `burst`; each admitted request takes
 * one. Pure: the caller passes the time (ms, any monotonic clock).
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes one token: 0 when taken, otherwise the ms until one is available (nothing taken). */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.ratePerS);
  }

  /** True when the bucket is full again, so forgetting it changes nothing. */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.at);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerS) / 1000);
    this.at = now;
  }
}
