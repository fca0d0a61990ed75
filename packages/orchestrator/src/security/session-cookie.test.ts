import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cookieValue, loadSessionKey, parseSession, sealSession, sessionValid } from './session-cookie.ts';

describe('session cookies', () => {
  const hash = 'a'.repeat(64);
  const key = Buffer.from('k'.repeat(32));

  it('is valid until it expires, and only for the token hash that sealed it', () => {
    const s = parseSession(sealSession(key, 't1', hash, 10_000))!;
    expect(sessionValid(key, s, hash, 9_999)).toBe(true);
    expect(sessionValid(key, s, hash, 10_000)).toBe(false);
    expect(sessionValid(key, s, 'b'.repeat(64), 5_000)).toBe(false);
    // The token's hash alone (e.g. a copy of the database) does not seal a valid session.
    expect(sessionValid(Buffer.from(hash), s, hash, 5_000)).toBe(false);
  });

  it('keeps a generated key in the data directory, the same on every start, unless a secret is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kos-session-key-'));
    const first = await loadSessionKey('', dir);
    expect(first.length).toBe(32);
    expect((await loadSessionKey('', dir)).equals(first)).toBe(true);
    expect(statSync(join(dir, 'session.key')).mode & 0o777).toBe(0o600);
    expect((await loadSessionKey('s'.repeat(32), dir)).equals(first)).toBe(false);
  });

  it('parses only its own shape', () => {
    expect(parseSession('t1.10000')).toBeNull();
    expect(parseSession('t1.x.' + 'a'.repeat(43))).toBeNull();
    expect(parseSession(`t 1.10000.${'a'.repeat(43)}`)).toBeNull();
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(cookieValue('a=1; kos_session=v.2.x; b=3', 'kos_session')).toBe('v.2.x');
    expect(cookieValue('xkos_session=1', 'kos_session')).toBeNull();
    expect(cookieValue(undefined, 'kos_session')).toBeNull();
  });
});
