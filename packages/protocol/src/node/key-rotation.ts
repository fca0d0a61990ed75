import { sign, verify } from 'node:crypto';
import { canonicalJson } from '../canonical.ts';
import type { AgentKey } from './keys.ts';
import { decodeBase64Url, publicKeyObject } from './keys.ts';

/**
 * An agent's request to move its name from one Ed25519 key to another, signed by both: the old key
 * proves the holder of the name asks, the new key proves the holder has the new private key (no
 * one can move a name to a key they cannot use, or to someone else's). `at` dates it, so a
 * captured request is useless later; once applied, its `old_key` is no longer the name's, so it
 * cannot be applied twice.
 */
export interface KeyRotation {
  agent: string;
  old_key: string;
  new_key: string;
  /** ISO-8601 time of signing. */
  at: string;
  old_sig: string;
  new_sig: string;
}

/** The bytes both keys sign: everything but the signatures, tagged so no other message matches. */
function statement(r: Omit<KeyRotation, 'old_sig' | 'new_sig'>): Buffer {
  const { agent, old_key, new_key, at } = r;
  return Buffer.from(canonicalJson({ kind: 'kos.key_rotation.v1', agent, old_key, new_key, at }), 'utf8');
}

export function signKeyRotation(agent: string, oldKey: AgentKey, newKey: AgentKey, at: Date): KeyRotation {
  const body = { agent, old_key: oldKey.publicKey, new_key: newKey.publicKey, at: at.toISOString() };
  const data = statement(body);
  return {
    ...body,
    old_sig: sign(null, data, oldKey.privateKey).toString('base64url'),
    new_sig: sign(null, data, newKey.privateKey).toString('base64url'),
  };
}

/** Which signature of a rotation fails, or null when both verify. Never throws. */
export function keyRotationFault(r: KeyRotation): 'old_sig' | 'new_sig' | null {
  const data = statement(r);
  const ok = (key: string, sig: string): boolean => {
    try {
      const signature = decodeBase64Url(sig, 64);
      return signature !== null && verify(null, data, publicKeyObject(key), signature);
    } catch {
      return false;
    }
  };
  if (!ok(r.old_key, r.old_sig)) return 'old_sig';
  if (!ok(r.new_key, r.new_sig)) return 'new_sig';
  return null;
}
