import { describe, expect, it } from 'vitest';
import { generateKey } from './keys.ts';
import { keyRotationFault, signKeyRotation } from './key-rotation.ts';

describe('key rotation statements', () => {
  const [oldKey, newKey, other] = [generateKey(), generateKey(), generateKey()];
  const at = new Date('2026-12-07T12:00:00.000Z');

  it('verifies a rotation signed by both keys', () => {
    const r = signKeyRotation('crawler', oldKey, newKey, at);
    expect(r).toMatchObject({ agent: 'crawler', old_key: oldKey.publicKey, new_key: newKey.publicKey });
    expect(r.at).toBe('2026-12-07T12:00:00.000Z');
    expect(keyRotationFault(r)).toBeNull();
  });

  it('names the signature that fails when any signed field is changed', () => {
    const r = signKeyRotation('crawler', oldKey, newKey, at);
    expect(keyRotationFault({ ...r, agent: 'summarizer' })).toBe('old_sig');
    expect(keyRotationFault({ ...r, at: '2026-12-07T12:00:01.000Z' })).toBe('old_sig');
    // Swapping in another new key: the old key never signed it.
    expect(keyRotationFault({ ...r, new_key: other.publicKey })).toBe('old_sig');
  });

  it('refuses a new key whose holder did not sign, and garbage signatures', () => {
    const half = signKeyRotation('crawler', oldKey, newKey, at);
    const byOther = signKeyRotation('crawler', oldKey, other, at);
    expect(keyRotationFault({ ...half, new_sig: byOther.new_sig })).toBe('new_sig');
    expect(keyRotationFault({ ...half, old_sig: 'not base64url!' })).toBe('old_sig');
    expect(keyRotationFault({ ...half, new_key: 'nonsense' })).toBe('old_sig');
  });
});
