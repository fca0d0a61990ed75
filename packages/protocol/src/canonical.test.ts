import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonArb } from './arbitraries.ts';
import { canonicalJson } from './canonical.ts';
import { isKosError } from './errors.ts';

/** The same entries, inserted in another order, recursively. */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, seed));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const rotated = entries.map((_, i) => entries[(i + seed) % entries.length]!).reverse();
  return Object.fromEntries(rotated.map(([k, v]) => [k, reorder(v, seed)]));
}

describe('canonicalJson', () => {
  it('parses back to the value it was given', () => {
    fc.assert(
      fc.property(jsonArb, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order in which keys were inserted', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), jsonArb, { maxKeys: 8 }), fc.nat(), (value, seed) => {
        expect(canonicalJson(reorder(value, seed))).toBe(canonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it('sorts keys by UTF-16 code units and writes numbers the ECMAScript way (RFC 8785 examples)', () => {
    expect(
      canonicalJson({
        b: [1e21, 0.000001, -0, 1.5e-7],
        a: { '\u20ac': 1, '\r': 2, '1': 3, '\ud83d\ude00': 4, '\ufb33': 5 },
      }),
    ).toBe(
      // U+1F600 sorts before U+FB33: its first UTF-16 unit is 0xD83D
      '{"a":{"\\r":2,"1":3,"€":1,"😀":4,"דּ":5},"b":[1e+21,0.000001,0,1.5e-7]}',
    );
    expect(canonicalJson('\u2028\u0007"')).toBe('"\u2028\\u0007\\""');
  });

  it('refuses what JSON cannot carry with KOS_ERR_VALIDATION', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, { s: '\ud800' }, cyclic, undefined]) {
      let caught: unknown;
      try {
        canonicalJson(value);
      } catch (e) {
        caught = e;
      }
      expect(isKosError(caught) && caught.code).toBe('KOS_ERR_VALIDATION');
    }
  });
});
