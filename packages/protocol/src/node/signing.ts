import { sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../canonical.ts';
import type { Auth, Envelope } from '../envelope.ts';
import type { AgentKey } from './keys.ts';
import { decodeBase64Url, fingerprint, publicKeyObject } from './keys.ts';

/**
 * Ed25519 envelope signatures over canonicalJson(envelope without `auth.sig`). `auth.kid` and
 * `auth.chain` are inside the signed bytes, so signing a frame also signs the receipt chain
 * value: one verification covers every frame before it (docs/protocol.md, "Receipts").
 */
export function signEnvelope<T extends Envelope>(env: T, key: AgentKey): T {
  const auth: Auth = { kid: key.kid };
  if (env.auth?.chain !== undefined) auth.chain = env.auth.chain;
  const unsigned = { ...env, auth };
  const sig = sign(null, Buffer.from(canonicalJson(unsigned), 'utf8'), key.privateKey).toString('base64url');
  return { ...unsigned, auth: { ...auth, sig } };
}

/** True only for a valid signature by `publicKey` whose `auth.kid` is its fingerprint. Never throws. */
export function verifyEnvelope(env: Envelope, publicKey: string): boolean {
  try {
    const auth = env.auth;
    if (auth === undefined || auth.kid !== fingerprint(publicKey)) return false;
    const signature = decodeBase64Url(auth.sig, 64);
    if (signature === null) return false;
    const { sig: _sig, ...signedAuth } = auth;
    const data = Buffer.from(canonicalJson({ ...env, auth: signedAuth }), 'utf8');
    return verify(null, data, cachedKey(publicKey), signature);
  } catch {
    return false;
  }
}

// Importing a JWK costs about as much as the verification itself; sessions reuse few keys.
const keyCache = new Map<string, KeyObject>();
const KEY_CACHE_MAX = 1024;

function cachedKey(publicKey: string): KeyObject {
  let key = keyCache.get(publicKey);
  if (key === undefined) {
    key = publicKeyObject(publicKey);
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(publicKey, key);
  }
  return key;
}
