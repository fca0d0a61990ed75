/**
 * A FIFO counting semaphore. Transactions take a slot before asking the pool for a client, so a
 * burst waits here, in order and without a deadline, for connections that are busy with healthy
 * work; the pool's connect timeout then measures only opening a connection, and an unreachable
 * database fails fast instead of every queued caller timing out behind the burst.
 */
export class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.free++;
    }
  }
}
