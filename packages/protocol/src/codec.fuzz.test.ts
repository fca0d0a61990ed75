import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { envelopeArb } from './arbitraries.ts';
import { canonicalJson } from './canonical.ts';
import { decodeFrame, encodeFrame, MAX_JSON_DEPTH, type Decoded } from './codec.ts';
import { ERROR_CODES } from './errors.ts';

// Seed and runs as in packages/orchestrator/test/fuzz/fuzz-options.ts (`npm run fuzz -- --runs N`).
const seed = process.env.KOS_FUZZ_SEED
  ? Number(process.env.KOS_FUZZ_SEED)
  : Math.floor(Math.random() * 2 ** 31);
// A longer run asked for with KOS_FUZZ_RUNS has no time limit.
const timeout = process.env.KOS_FUZZ_RUNS ? 24 * 3600_000 : 30_000;
const runs = (ci: number) => ({
  seed,
  numRuns: process.env.KOS_FUZZ_RUNS ? Number(process.env.KOS_FUZZ_RUNS) : ci,
});
const counts = new Map<string, number>();
const count = (door: string) => counts.set(door, (counts.get(door) ?? 0) + 1);
const MAX = 64 * 1024;

/** decodeFrame must answer, never throw, and refuse only with a registered frame code. */
function decodes(data: Parameters<typeof decodeFrame>[0]): Decoded {
  const d = decodeFrame(data, MAX);
  if (!d.ok) {
    expect(d.code in ERROR_CODES).toBe(true);
    // The catch-all of decodeFrame: a step that threw instead of reporting its failure is a bug.
    expect(d.message).not.toMatch(/^frame could not be decoded/);
  } else {
    // What decodeFrame promises of every frame it accepts (the gateway signs and chains them).
    expect(() => canonicalJson(d.envelope)).not.toThrow();
  }
  return d;
}

const INVALID_UTF8 = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82]].map((b) => Buffer.from(b));

describe('the KLP frame decoder, fuzzed', () => {
  afterAll(() => {
    const lines = [...counts].map(([door, n]) => `  ${door}: ${n}`);
    console.log(`fuzz codec.fuzz.test.ts (seed ${seed}):\n${lines.join('\n')}`);
  });

  it(
    'decodes every valid envelope to itself, also from fragments',
    () => {
      fc.assert(
        fc.property(envelopeArb, fc.nat(), (env, cut) => {
          count('KLP decoder: valid frames');
          const text = encodeFrame(env);
          const bytes = Buffer.from(text);
          const at = cut % (bytes.length + 1);
          const d = decodes([bytes.subarray(0, at), bytes.subarray(at)]);
          expect(d.ok && d.envelope).toEqual(JSON.parse(text));
        }),
        runs(500),
      );
    },
    timeout,
  );

  it(
    'refuses every truncated frame as a bad frame, and every oversize one as too large',
    () => {
      fc.assert(
        fc.property(envelopeArb, fc.nat(), fc.integer({ min: 1, max: 2_000 }), (env, cut, excess) => {
          count('KLP decoder: truncated and oversize frames');
          const text = encodeFrame(env);
          const truncated = decodes(text.slice(0, cut % text.length));
          expect(truncated).toMatchObject({ ok: false, code: 'KOS_ERR_BAD_FRAME' });
          const big = JSON.stringify({ ...env, intent: 'x'.repeat(MAX + excess) });
          expect(decodes(big)).toMatchObject({ ok: false, code: 'KOS_ERR_FRAME_TOO_LARGE' });
        }),
        runs(500),
      );
    },
    timeout,
  );

  it(
    'never throws on mutated, invalid UTF-8, deeply nested or random input',
    () => {
      const mutated = fc
        .tuple(envelopeArb, fc.nat(), fc.integer({ min: 0, max: 255 }))
        .map(([env, at, byte]) => {
          const b = Buffer.from(encodeFrame(env));
          b[at % b.length] = byte;
          return b;
        });
      const badUtf8 = fc
        .tuple(envelopeArb, fc.nat(), fc.constantFrom(...INVALID_UTF8))
        .map(([env, at, bad]) => {
          const b = Buffer.from(encodeFrame(env));
          const i = at % b.length;
          return Buffer.concat([b.subarray(0, i), bad, b.subarray(i)]);
        });
      const deep = fc
        .integer({ min: MAX_JSON_DEPTH - 2, max: 20_000 })
        .map((n) => `{"v":1,"payload":${'['.repeat(n)}${']'.repeat(n)}}`);
      const fields = fc
        .tuple(
          envelopeArb,
          fc.constantFrom('v', 'id', 'type', 'from', 'to', 'ts', 'seq', 'payload', 'auth', '__proto__'),
          fc.jsonValue(),
        )
        .map(
          ([env, key, value]) =>
            `{${JSON.stringify(env).slice(1, -1)},${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}}`,
        );
      fc.assert(
        fc.property(
          fc.oneof(
            mutated,
            badUtf8,
            deep,
            fields,
            fc.uint8Array({ maxLength: 300 }),
            fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
          ),
          (data) => {
            count('KLP decoder: malformed frames');
            decodes(data);
          },
        ),
        runs(2_000),
      );
    },
    timeout,
  );
});
