/**
 * Bounds the frames of one session being handled at once: at `max` the socket stops reading (TCP
 * then pushes back on the agent), below half of it reading resumes. So an agent that floods
 * frames costs bounded memory and store work, and is slowed instead of refused.
 */
export class FrameBackpressure {
  private inFlight = 0;
  private paused = false;

  constructor(
    private readonly max: number,
    private readonly socket: { pause(): void; resume(): void },
    private readonly onPause: () => void,
  ) {}

  /** Counts `work` as in flight until it settles; returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight += 1;
    if (!this.paused && this.inFlight >= this.max) {
      this.paused = true;
      this.socket.pause();
      this.onPause();
    }
    return work.finally(() => {
      this.inFlight -= 1;
      if (this.paused && this.inFlight <= this.max / 2) {
        this.paused = false;
        this.socket.resume();
      }
    });
  }
}
