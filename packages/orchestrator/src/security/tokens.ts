import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer token secrets: `kos_<id>_<random>`, where id is 16 hex characters (the TokenRecord id,
 * so logs and `kos keys list` can name a token without its secret) and random is 32 bytes of
 * base64url. Only the SHA-256 of the secret is stored.
 */
const SECRET_FORMAT = /^kos_([0-9a-f]{16})_([A-Za-z0-9_-]{43,})$/;

export function createTokenSecret(): { id: string; secret: string; hash: string } {
  const id = randomBytes(8).toString('hex');
  const secret = `kos_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, secret, hash: hashToken(secret) };
}

/** SHA-256 of the secret, hex: what the store keeps and looks tokens up by. */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The token id embedded in a well-formed secret, or null for anything else. */
export function tokenIdOf(secret: string): string | null {
  return SECRET_FORMAT.exec(secret)?.[1] ?? null;
}

/** True when `secret` hashes to `hash`; compared in constant time. */
export function secretMatchesHash(secret: string, hash: string): boolean {
  const actual = Buffer.from(hashToken(secret), 'hex');
  const expected = Buffer.from(hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The token of an `Authorization: Bearer <token>` header, or null when absent or malformed. */
export function parseBearer(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^\s*Bearer[ \t]+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
