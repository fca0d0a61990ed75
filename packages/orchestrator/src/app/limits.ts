import { KosError } from '@kos/protocol';

/** Refuses a value over its configured limit, naming the limit so the caller can act on it. */
export function assertWithin(what: string, value: number, max: number): void {
  if (value > max) {
    throw new KosError('KOS_ERR_LIMIT_EXCEEDED', `${what} is ${value}, more than the limit of ${max}`, {
      limit: what,
      value,
      max,
    });
  }
}

/** The size of a value as JSON, in bytes (results, inputs). */
export function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v ?? null));
}
