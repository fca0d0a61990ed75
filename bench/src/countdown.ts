// Runs counted in-process for the peers: how often each key ran, and a promise for "n done".

export class Countdown {
  readonly runs = new Map<string, number>();
  private done = 0;
  private waiters: { n: number; resolve: () => void }[] = [];

  ran(key: string): void {
    this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
  }

  finished(): void {
    this.done++;
    this.waiters = this.waiters.filter((w) => {
      if (this.done < w.n) return true;
      w.resolve();
      return false;
    });
  }

  get count(): number {
    return this.done;
  }

  /** Resolves once `n` completions were counted; rejects after `timeoutMs`. */
  until(n: number, timeoutMs = 900_000): Promise<void> {
    if (this.done >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.done} of ${n} done in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/** Keys 0..n-1 each ran exactly once: the problems found, none when correct. */
export function eachOnce(n: number, runs: ReadonlyMap<string, number>): string[] {
  const expected = Array.from({ length: n }, (_, i) => String(i));
  const problems = expected.filter((k) => runs.get(k) !== 1).map((k) => `${k} ran ${runs.get(k) ?? 0} times`);
  if (runs.size !== n) problems.push(`${runs.size} distinct jobs ran, ${n} expected`);
  return problems.slice(0, 10);
}
