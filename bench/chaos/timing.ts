// Waiting with a deadline: a chaos scenario that hangs must fail with a reason, not hang the run.

/** Resolves like `promise`, or rejects after `ms` naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it answers a value; rejects after `ms` naming what was awaited. */
export async function until<T>(check: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  return within(
    (async () => {
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        await sleep(20);
      }
    })(),
    ms,
    what,
  );
}
