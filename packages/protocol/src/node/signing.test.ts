import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeArb } from '../arbitraries.ts';
import type { Envelope } from '../envelope.ts';
import { generateKey } from './keys.ts';
import { signEnvelope, verifyEnvelope } from './signing.ts';

const keys = [generateKey(), generateKey(), generateKey()];
const keyArb = fc.constantFrom(...keys);
const CHAIN = 'ab'.repeat(32);

/** Paths to every string in a JSON value, object keys included (as `{ key }` steps). */
type Step = string | number | { key: string };
function stringPaths(value: unknown, path: Step[] = []): Step[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...path, i]));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [[...path, { key: k }], ...stringPaths(v, [...path, k])]);
}

const flip = (s: string, at: number, bit: number) =>
  s.slice(0, at) + String.fromCharCode(s.charCodeAt(at) ^ (1 << bit)) + s.slice(at + 1);

/** A copy of `root` with one bit of one character of the string (or key) at `path` flipped. */
function flipAt(root: unknown, path: Step[], at: number, bit: number): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  const last = path[path.length - 1];
  let parent: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1))
    parent = parent[step as string | number] as Record<string | number, unknown>;
  if (typeof last === 'object') {
    if (last.key.length === 0) return null; // nothing to flip in an empty key
    const renamed = Object.fromEntries(
      Object.entries(parent).map(([k, v]) => [k === last.key ? flip(k, at % k.length, bit) : k, v]),
    );
    if (path.length === 1) return renamed;
    parent = copy;
    for (const step of path.slice(0, -2))
      parent = parent[step as string | number] as Record<string | number, unknown>;
    parent[path[path.length - 2] as string | number] = renamed;
    return copy;
  }
  const s = (last === undefined ? copy : parent[last]) as string;
  if (s.length === 0) return null;
  if (last === undefined) return flip(s, at % s.length, bit);
  parent[last] = flip(s, at % s.length, bit);
  return copy;
}

describe('signEnvelope / verifyEnvelope', () => {
  it('verifies every envelope it signed, with the chain value kept inside the signature', () => {
    fc.assert(
      fc.property(envelopeArb, keyArb, fc.boolean(), (env, key, withChain) => {
        const input: Envelope = withChain ? { ...env, auth: { kid: 'ignored', chain: CHAIN } } : env;
        const signed = signEnvelope(input, key);
        expect(signed.auth?.kid).toBe(key.kid);
        expect(signed.auth?.chain).toBe(withChain ? CHAIN : undefined);
        expect(verifyEnvelope(signed, key.publicKey)).toBe(true);
        expect(verifyEnvelope(JSON.parse(JSON.stringify(signed)) as Envelope, key.publicKey)).toBe(true);
        expect(input.auth?.sig).toBeUndefined(); // the input was not modified
      }),
      { numRuns: 200 },
    );
  });

  it('fails when any one bit of any string or key of the signed envelope changes', () => {
    fc.assert(
      fc.property(envelopeArb, keyArb, fc.nat(), fc.nat(), fc.nat({ max: 15 }), (env, key, pick, at, bit) => {
        const input: Envelope = { ...env, auth: { kid: key.kid, chain: CHAIN } };
        const signed = signEnvelope(input, key);
        const { sig: _sig, ...rest } = signed.auth!;
        const paths = stringPaths({ ...signed, auth: rest });
        const tampered = flipAt(signed, paths[pick % paths.length]!, at, bit);
        if (tampered === null) return;
        expect(tampered).not.toEqual(signed);
        expect(verifyEnvelope(tampered as Envelope, key.publicKey)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('fails when one bit of the signature or of the public key changes', () => {
    fc.assert(
      fc.property(envelopeArb, keyArb, fc.nat(), fc.nat({ max: 15 }), (env, key, at, bit) => {
        const signed = signEnvelope(env, key);
        const auth = signed.auth!;
        const badSig = { ...signed, auth: { ...auth, sig: flip(auth.sig!, at % auth.sig!.length, bit) } };
        expect(verifyEnvelope(badSig, key.publicKey)).toBe(false);
        expect(verifyEnvelope(signed, flip(key.publicKey, at % key.publicKey.length, bit))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('fails for a changed number, another key, a missing signature or a malformed input, without throwing', () => {
    const [a, b] = keys as [(typeof keys)[0], (typeof keys)[0]];
    const env = fc.sample(envelopeArb, { numRuns: 1, seed: 7 })[0]!;
    const signed = signEnvelope(env, a);
    expect(verifyEnvelope(signed, a.publicKey)).toBe(true);
    expect(verifyEnvelope({ ...signed, seq: signed.seq + 1 }, a.publicKey)).toBe(false);
    expect(verifyEnvelope({ ...signed, ts: signed.ts ^ 1 }, a.publicKey)).toBe(false);
    expect(verifyEnvelope(signed, b.publicKey)).toBe(false); // kid is not b's fingerprint
    expect(verifyEnvelope(signEnvelope(env, b), a.publicKey)).toBe(false);
    const resigned = { ...signEnvelope(env, b), auth: { ...signEnvelope(env, b).auth!, kid: a.kid } };
    expect(verifyEnvelope(resigned, a.publicKey)).toBe(false); // b's signature under a's kid
    expect(verifyEnvelope(env, a.publicKey)).toBe(false);
    expect(verifyEnvelope({ ...signed, auth: { kid: a.kid } }, a.publicKey)).toBe(false);
    expect(verifyEnvelope(signed, 'not a key')).toBe(false);
    expect(verifyEnvelope(signed, '')).toBe(false);
    expect(verifyEnvelope({ ...signed, payload: Number.NaN } as unknown as Envelope, a.publicKey)).toBe(
      false,
    );
    expect(verifyEnvelope(null as unknown as Envelope, a.publicKey)).toBe(false);
  });
});
