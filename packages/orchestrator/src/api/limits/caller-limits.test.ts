import { describe, expect, it } from 'vitest';
import { CallerLimits, type CallerClass } from './caller-limits.ts';
import { TokenBucket } from './token-bucket.ts';

const cls: CallerClass = { ratePerS: 10, burst: 5, maxConcurrent: 3 };

describe('TokenBucket', () => {
  it('admits a burst, then one request per 1/rate, and says how long to wait', () => {
    const b = new TokenBucket(10, 5, 0);
    expect(Array.from({ length: 5 }, () => b.take(0))).toEqual([0, 0, 0, 0, 0]);
    expect(b.take(0)).toBe(100);
    expect(b.take(50)).toBe(50);
    expect(b.take(100)).toBe(0);
    expect(b.full(10_000)).toBe(true);
  });
});

describe('CallerLimits', () => {
  it('refuses one caller over its rate while another caller is admitted', () => {
    const limits = new CallerLimits({ maxConcurrentTotal: 1000, maxTracked: 100 });
    for (let i = 0; i < 5; i++) {
      const a = limits.admit('token:a', cls, 0, 'token');
      if (a.ok) a.release();
    }
    expect(limits.admit('token:a', cls, 0, 'token')).toMatchObject({ ok: false, kind: 'token_rate' });
    expect(limits.admit('token:b', cls, 0, 'token').ok).toBe(true);
  });

  it('refuses a caller over its concurrency until one of its requests is released', () => {
    const limits = new CallerLimits({ maxConcurrentTotal: 1000, maxTracked: 100 });
    const held = [0, 1, 2].map(() => limits.admit('ip:1', cls, 0, 'ip'));
    expect(limits.admit('ip:1', cls, 0, 'ip')).toMatchObject({ ok: false, kind: 'ip_concurrency' });
    const first = held[0]!;
    if (first.ok) {
      first.release();
      first.release(); // twice: counted once
    }
    expect(limits.active).toBe(2);
    expect(limits.admit('ip:1', cls, 0, 'ip').ok).toBe(true);
  });

  it('refuses everyone with overloaded once the total in flight is reached', () => {
    const limits = new CallerLimits({ maxConcurrentTotal: 2, maxTracked: 100 });
    limits.admit('a', cls, 0, 'token');
    limits.admit('b', cls, 0, 'token');
    expect(limits.admit('c', cls, 0, 'token')).toMatchObject({ ok: false, kind: 'overloaded' });
  });

  it('remembers at most maxTracked callers, forgetting idle ones first', () => {
    const limits = new CallerLimits({ maxConcurrentTotal: 1_000_000, maxTracked: 50 });
    const busy = limits.admit('busy', cls, 0, 'ip');
    for (let i = 0; i < 10_000; i++) {
      const a = limits.admit(`ip:${i}`, cls, i * 1000, 'ip');
      if (a.ok) a.release();
    }
    expect(limits.tracked).toBe(50);
    expect(busy.ok).toBe(true);
  });
});
