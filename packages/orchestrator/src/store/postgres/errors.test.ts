import { isKosError } from '@kos/protocol';
import { describe, expect, it } from 'vitest';
import { storeFailure } from './errors.ts';

const URL = 'postgres://kos:secret@db.example:5432/kos';
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('storeFailure', () => {
  it('turns a transaction that lost every deadlock retry into a typed, retryable 503, password hidden', () => {
    for (const code of ['40P01', '40001']) {
      const failure = storeFailure(URL, pgError(code, 'deadlock detected'), 'the transaction failed');
      expect(isKosError(failure) && failure.code).toBe('KOS_ERR_STORE_UNAVAILABLE');
      expect(String((failure as Error).message)).toMatch(/concurrent transactions.*Retry it/);
      expect(String((failure as Error).message)).not.toContain('secret');
    }
  });

  it('keeps a constraint violation as it is: the request, not the store, is at fault', () => {
    const violation = pgError('23505', 'duplicate key value violates unique constraint');
    expect(storeFailure(URL, violation, 'the transaction failed')).toBe(violation);
  });
});
