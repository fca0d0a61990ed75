import { ERROR_CODES } from '@kos/protocol';

/**
 * The fast-check options of every fuzz property: a seed (KOS_FUZZ_SEED, else a fresh one, printed
 * so any run can be replayed; fast-check also prints seed and path on a failure) and a number of
 * runs (KOS_FUZZ_RUNS, else each property's CI default). `npm run fuzz -- --runs N` sets both.
 */
export function fuzzOptions(defaultRuns: number): { seed: number; numRuns: number } {
  const seed = process.env.KOS_FUZZ_SEED ? Number(process.env.KOS_FUZZ_SEED) : fuzzSeed;
  const numRuns = process.env.KOS_FUZZ_RUNS ? Number(process.env.KOS_FUZZ_RUNS) : defaultRuns;
  return { seed, numRuns };
}

/** A test's timeout: its CI bound, or none for a longer run asked for with KOS_FUZZ_RUNS. */
export function fuzzTimeoutMs(ciMs: number): number {
  return process.env.KOS_FUZZ_RUNS ? 24 * 3600_000 : ciMs;
}

const fuzzSeed = Math.floor(Math.random() * 2 ** 31);

/** Inputs generated per door, printed at the end of a fuzz file (the closing note quotes them). */
export class DoorCounts {
  private readonly counts = new Map<string, number>();

  add(door: string, n = 1): void {
    this.counts.set(door, (this.counts.get(door) ?? 0) + n);
  }

  print(file: string): void {
    const { seed, numRuns } = fuzzOptions(0);
    const lines = [...this.counts].map(([door, n]) => `  ${door}: ${n}`);
    console.log(`fuzz ${file} (seed ${seed}${numRuns ? `, runs ${numRuns}` : ''}):\n${lines.join('\n')}`);
  }
}

/** A refusal's body: `{error: {code, message}}` with a registered code whose status it carries. */
export function typedRefusal(status: number, body: unknown): string | null {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : undefined;
  if (code === undefined || !(code in ERROR_CODES)) return `untyped ${status} body: ${JSON.stringify(body)}`;
  const registered = ERROR_CODES[code as keyof typeof ERROR_CODES].status;
  if (registered !== status) return `${code} answered with ${status}, registered as ${registered}`;
  if (typeof error?.message !== 'string') return `${code} without a message`;
  return null;
}
