import { createHmac, timingSafeEqual } from 'node:crypto';

/** The cookie that keeps a dashboard signed in (EventSource cannot send an Authorization header). */
export const SESSION_COOKIE = 'kos_session';

/**
 * A session is `<token id>.<expiry ms>.<HMAC-SHA256>`, keyed by the token's stored hash: a secret
 * the server keeps (in the store, so every replica can check it) and no client ever sees. Nothing
 * else is stored; revoking the token ends its sessions; the token's secret is never in the cookie.
 */
export function sealSession(tokenId: string, tokenHash: string, expiresAt: number): string {
  return `${tokenId}.${expiresAt}.${mac(tokenId, expiresAt, tokenHash)}`;
}

/** The parts of a cookie value, or null when it is not one of ours. */
export function parseSession(value: string): { tokenId: string; expiresAt: number; mac: string } | null {
  const m = /^([A-Za-z0-9_-]{1,100})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return null;
  return { tokenId: m[1]!, expiresAt: Number(m[2]), mac: m[3]! };
}

/** Whether the session was sealed with this token's hash and has not expired at `now`. */
export function sessionValid(
  s: { tokenId: string; expiresAt: number; mac: string },
  tokenHash: string,
  now: number,
): boolean {
  if (s.expiresAt <= now) return false;
  const expected = Buffer.from(mac(s.tokenId, s.expiresAt, tokenHash));
  const given = Buffer.from(s.mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function mac(tokenId: string, expiresAt: number, key: string): string {
  return createHmac('sha256', key).update(`kos-session\n${tokenId}\n${expiresAt}`).digest('base64url');
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Set-Cookie for a session: HttpOnly (no script reads it), SameSite=Strict, `Secure` over https. */
export function sessionSetCookie(value: string, maxAgeMs: number, secure: boolean): string {
  const attrs = [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
  ];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}
