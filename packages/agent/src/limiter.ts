/**
 * Runs keyed jobs with at most `max` at a time, in arrival order; extra jobs wait in a queue.
 * The orchestrator should never push more than `max_parallel` tasks, but the SDK does not rely
 * on it: a burst (e.g. after a reconnect race) queues here instead of overloading the agent.
 */
export class ConcurrencyLimiter {
  private readonly queue: { key: string; start: () => Promise<void> }[] = [];
  private running = 0;

  constructor(readonly max: number) {}

  get active(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Starts `start` now if a slot is free, else when one frees up. Its rejection is swallowed:
   * a job reports its own failures. */
  enqueue(key: string, start: () => Promise<void>): void {
    this.queue.push({ key, start });
    this.pump();
  }

  /** Removes a job that has not started yet; false if it is not waiting (running or unknown). */
  cancel(key: string): boolean {
    const i = this.queue.findIndex((job) => job.key === key);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  /** Drops every waiting job (running ones are left to finish). */
  clear(): void {
    this.queue.length = 0;
  }

  private pump(): void {
    while (this.running < this.max) {
      const job = this.queue.shift();
      if (!job) return;
      this.running++;
      void this.runJob(job.start);
    }
  }

  private async runJob(start: () => Promise<void>): Promise<void> {
    try {
      await start();
    } catch {
      // The job's own code logs and reports; the slot is freed either way.
    } finally {
      this.running--;
      this.pump();
    }
  }
}
