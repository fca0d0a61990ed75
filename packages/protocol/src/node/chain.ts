import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical.ts';
import type { Envelope } from '../envelope.ts';

/**
 * The receipt chain of a session (docs/protocol.md, "Receipts"): it starts at SHA-256(nonce) and
 * each agent frame moves it to SHA-256(previous ‖ frameDigest(frame)), as lower-case hex. Both ends
 * compute it; a signed frame carries it in `auth.chain`, so its signature covers every earlier
 * frame in order.
 */
export function chainStart(nonce: string): string {
  return sha256Hex(nonce);
}

/** SHA-256 of the canonical envelope without `auth` (the chain value cannot cover itself). */
export function frameDigest(env: Envelope): string {
  const { auth: _auth, ...rest } = env;
  return sha256Hex(canonicalJson(rest));
}

export function chainNext(prev: string, env: Envelope): string {
  return sha256Hex(prev + frameDigest(env));
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}
