import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, KosError } from './errors.ts';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('the error-code registry', () => {
  it('is listed in docs/errors.md exactly, with the same HTTP status', () => {
    const documented = new Map(
      [...doc.matchAll(/^\| `(KOS_ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]),
    );
    const registered = new Map(Object.entries(ERROR_CODES).map(([code, v]) => [code, v.status]));
    expect(documented).toEqual(registered);
  });

  it('gives each error its registered status and a JSON form without undefined details', () => {
    const e = new KosError('KOS_ERR_STALE_EPOCH', 'epoch 1 is stale');
    expect(e.status).toBe(409);
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      code: 'KOS_ERR_STALE_EPOCH',
      message: 'epoch 1 is stale',
    });
    const d = new KosError('KOS_ERR_DAG_CYCLE', 'cycle', { cycle: ['a', 'b', 'a'] });
    expect(d.toJSON().details).toEqual({ cycle: ['a', 'b', 'a'] });
  });
});
