import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeArb } from '../arbitraries.ts';
import { chainNext, chainStart, frameDigest } from './chain.ts';
import { canonicalJson } from '../canonical.ts';
import type { Envelope } from '../envelope.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const run = (nonce: string, frames: Envelope[]) => frames.reduce(chainNext, chainStart(nonce));

describe('the receipt chain', () => {
  it('starts at SHA-256(nonce) and moves to SHA-256(previous ‖ SHA-256(canonical frame without auth))', () => {
    const env = fc.sample(envelopeArb, { numRuns: 1, seed: 3 })[0]!;
    expect(chainStart('n0nce')).toBe(sha('n0nce'));
    expect(frameDigest(env)).toBe(sha(canonicalJson(env)));
    expect(chainNext(chainStart('n0nce'), env)).toBe(sha(sha('n0nce') + sha(canonicalJson(env))));
  });

  it('does not depend on auth, so the chain value can travel inside the frame it covers', () => {
    fc.assert(
      fc.property(envelopeArb, (env) => {
        const withAuth: Envelope = {
          ...env,
          auth: { kid: 'ed25519:' + 'a'.repeat(22), chain: 'f'.repeat(64) },
        };
        expect(frameDigest(withAuth)).toBe(frameDigest(env));
      }),
      { numRuns: 100 },
    );
  });

  it('differs when the same frames arrive in another order', () => {
    const distinctFrames = fc
      .uniqueArray(envelopeArb, { minLength: 2, maxLength: 6, selector: (e) => frameDigest(e) })
      .chain((frames) =>
        fc.tuple(
          fc.constant(frames),
          fc.shuffledSubarray(frames, { minLength: frames.length, maxLength: frames.length }),
        ),
      )
      .filter(([a, b]) => a.some((f, i) => f !== b[i]));
    fc.assert(
      fc.property(distinctFrames, fc.string(), ([frames, reordered], nonce) => {
        expect(run(nonce, reordered)).not.toBe(run(nonce, frames));
      }),
      { numRuns: 200 },
    );
  });

  it('differs when a frame is dropped, or the session nonce differs', () => {
    fc.assert(
      fc.property(fc.array(envelopeArb, { minLength: 1, maxLength: 5 }), fc.nat(), (frames, drop) => {
        const fewer = frames.filter((_, i) => i !== drop % frames.length);
        expect(run('n', fewer)).not.toBe(run('n', frames));
        expect(run('m', frames)).not.toBe(run('n', frames));
      }),
      { numRuns: 100 },
    );
  });
});
