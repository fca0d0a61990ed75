import { describe, expect, it } from 'vitest';
import { cookieValue, parseSession, sealSession, sessionValid } from './session-cookie.ts';

describe('session cookies', () => {
  const hash = 'a'.repeat(64);

  it('is valid until it expires, and only for the token hash that sealed it', () => {
    const s = parseSession(sealSession('t1', hash, 10_000))!;
    expect(sessionValid(s, hash, 9_999)).toBe(true);
    expect(sessionValid(s, hash, 10_000)).toBe(false);
    expect(sessionValid(s, 'b'.repeat(64), 5_000)).toBe(false);
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
