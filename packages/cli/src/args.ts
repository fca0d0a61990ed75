/** Option value parsers: a bad value is a usage error (exit 2) reported by commander. */
import { InvalidArgumentError } from 'commander';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  }
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${value}"`);
  }
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) {
    throw new InvalidArgumentError(`expected a TCP port 0–65535, got "${value}"`);
  }
  return n;
}

const UNIT_S = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** A duration such as `90s`, `15m`, `12h` or `30d`, in whole seconds. */
export function durationSeconds(value: string): number {
  const m = /^(\d+)([smhd])$/.exec(value);
  const n = m === null ? NaN : Number(m[1]) * UNIT_S[m[2] as keyof typeof UNIT_S];
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a duration such as 90s, 15m, 12h or 30d, got "${value}"`);
  }
  return n;
}
