import canonicalize from 'canonicalize';
import { KosError } from './errors.ts';

/**
 * RFC 8785 (JCS) canonical JSON: keys sorted by UTF-16 code units, no whitespace, ECMAScript
 * number formatting. Signatures and receipt digests are computed over it, so both ends must
 * produce the same bytes for the same value.
 *
 * Throws KOS_ERR_VALIDATION for what JSON cannot carry: NaN, ±Infinity, lone surrogates, cycles,
 * a top-level `undefined`. (decodeFrame refuses frames that would hit these.)
 */
export function canonicalJson(value: unknown): string {
  let out: string | undefined;
  try {
    out = canonicalize(value);
  } catch (e) {
    throw new KosError('KOS_ERR_VALIDATION', `value has no canonical JSON form: ${(e as Error).message}`);
  }
  if (out === undefined) {
    throw new KosError('KOS_ERR_VALIDATION', `value has no canonical JSON form: it is ${typeof value}`);
  }
  return out;
}
