import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The cookie that keeps a dashboard signed in (EventSource cannot send an Authorization header). */
export const SESSION_COOKIE = 'kos_session';

/**
 * A session is `<token id>.<expiry ms>.<HMAC-SHA256>` under the server's session key, over the
 * token's stored hash too: nothing else is stored, revoking the token ends its sessions, the
 * token's secret is never in the cookie, and a copy of the database alone cannot mint one.
 */
export function sealSession(key: Buffer, tokenId: string, tokenHash: string, expiresAt: number): string {
  return `${tokenId}.${expiresAt}.${mac(key, tokenId, tokenHash, expiresAt)}`;
}

/** The parts of a cookie value, or null when it is not one of ours. */
export function parseSession(value: string): { tokenId: string; expiresAt: number; mac: string } | null {
  const m = /^([A-Za-z0-9_-]{1,100})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return null;
  return { tokenId: m[1]!, expiresAt: Number(m[2]), mac: m[3]! };
}

/** Whether the session was sealed with this token's hash and has not expired at `now`. */
export function sessionValid(
  key: Buffer,
  s: { tokenId: string; expiresAt: number; mac: string },
  tokenHash: string,
  now: number,
): boolean {
  if (s.expiresAt <= now) return false;
  const expected = Buffer.from(mac(key, s.tokenId, tokenHash, s.expiresAt));
  const given = Buffer.from(s.mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function mac(key: Buffer, tokenId: string, tokenHash: string, expiresAt: number): string {
  return createHmac('sha256', key)
    .update(`kos-session\n${tokenId}\n${tokenHash}\n${expiresAt}`)
    .digest('base64url');
}

/**
 * The key sessions are sealed with: security.session_secret, or a random key kept (0600) in the
 * data directory, made on first start.
 */
export async function loadSessionKey(secret: string, dataDir: string): Promise<Buffer> {
  if (secret !== '') return Buffer.from(secret, 'utf8');
  const file = join(dataDir, 'session.key');
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // 'wx': a second process starting at once keeps the first one's key.
  await writeFile(file, key.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' }).catch(
    async (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    },
  );
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url');
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
