import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTokenSecret, hashToken, parseBearer, secretMatchesHash, tokenIdOf } from './tokens.ts';

describe('token secrets', () => {
  it('embeds the token id in the secret and stores only its SHA-256', () => {
    const { id, secret, hash } = createTokenSecret();
    expect(secret).toMatch(/^kos_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(tokenIdOf(secret)).toBe(id);
    expect(hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(hashToken(secret)).toBe(hash);
  });

  it('creates a different secret and id every time', () => {
    const tokens = Array.from({ length: 50 }, () => createTokenSecret());
    expect(new Set(tokens.map((t) => t.secret)).size).toBe(50);
    expect(new Set(tokens.map((t) => t.id)).size).toBe(50);
  });

  it('reads no id from strings that are not kOS secrets', () => {
    for (const s of [
      '',
      'kos_',
      'kos_abc_def',
      'Bearer kos_0123456789abcdef_x',
      `kos_0123456789ABCDEF_${'a'.repeat(43)}`,
    ]) {
      expect(tokenIdOf(s)).toBeNull();
    }
  });

  it('matches a secret against its hash and no other', () => {
    const a = createTokenSecret();
    const b = createTokenSecret();
    expect(secretMatchesHash(a.secret, a.hash)).toBe(true);
    expect(secretMatchesHash(a.secret, b.hash)).toBe(false);
    expect(secretMatchesHash(a.secret, 'not-hex')).toBe(false);
  });
});

describe('parseBearer', () => {
  it('returns the token of a Bearer header, whatever the scheme case and surrounding spaces', () => {
    expect(parseBearer('Bearer abc')).toBe('abc');
    expect(parseBearer('bearer abc')).toBe('abc');
    expect(parseBearer('  BEARER \t abc  ')).toBe('abc');
  });

  it('returns null for absent, empty, other-scheme or multi-word headers', () => {
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', 'Bearerabc', 'abc']) {
      expect(parseBearer(h)).toBeNull();
    }
  });

  it('round-trips any token without whitespace', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\S+$/), (token) => {
        expect(parseBearer(`Bearer ${token}`)).toBe(token);
      }),
    );
  });
});
