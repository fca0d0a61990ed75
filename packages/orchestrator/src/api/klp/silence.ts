import { performance } from 'node:perf_hooks';

export interface SilenceWatchOptions {
  /** Silence (no frame received) after which the peer is pinged. */
  pingAfterMs: number;
  /** How long a pinged peer has to send anything before it is lost. */
  pongTimeoutMs: number;
  ping(): void;
  lost(silentMs: number): void;
}

/**
 * Whether the peer of one session still speaks (docs/protocol.md, "Liveness"): silent for
 * `pingAfterMs`, it is pinged; silent for `pongTimeoutMs` more, it is lost. Any frame counts as an
 * answer, not only the pong: a peer that sends anything is alive. Judged on the monotonic clock.
 *
 * `heard()` runs on every frame, so it only stores a time; the one timer is re-armed when it fires,
 * for the rest of the silence, instead of being reset per frame.
 */
export class SilenceWatch {
  private lastHeardAt = performance.now();
  private pinged = false;
  private heardSincePing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SilenceWatchOptions) {}

  start(): void {
    this.heard();
    this.arm(this.options.pingAfterMs);
  }

  heard(): void {
    this.lastHeardAt = performance.now();
    this.heardSincePing = true;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.check(), ms);
    this.timer.unref();
  }

  private check(): void {
    const silentMs = performance.now() - this.lastHeardAt;
    if (this.pinged && !this.heardSincePing) {
      this.timer = undefined;
      this.options.lost(silentMs);
      return;
    }
    this.pinged = false;
    if (silentMs < this.options.pingAfterMs) {
      this.arm(this.options.pingAfterMs - silentMs);
      return;
    }
    this.pinged = true;
    this.heardSincePing = false;
    this.options.ping();
    this.arm(this.options.pongTimeoutMs);
  }
}
