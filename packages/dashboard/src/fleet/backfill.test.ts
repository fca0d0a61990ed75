import { describe, expect, it } from 'vitest';
import type { WireEvent } from '@kos/contracts';
import { backfill, headSeq } from './backfill.ts';

const ev = (seq: number, goal = 'g'): WireEvent => ({
  seq,
  at: '2024-01-01T00:00:00.000Z',
  kind: 'task.state',
  goal_id: goal,
  task_id: null,
  agent_id: null,
  actor: 'system',
  data: {},
});

/** A log of seqs 1..n as the events route serves it. */
function log(n: number, goalOf: (seq: number) => string = () => 'g') {
  let reads = 0;
  const firstAfter = (after: number) => {
    reads++;
    return Promise.resolve(after < n ? after + 1 : null);
  };
  const pageAfter = (after: number, limit = 1000) => {
    const events: WireEvent[] = [];
    for (let s = after + 1; s <= Math.min(n, after + limit); s++) events.push(ev(s, goalOf(s)));
    return Promise.resolve({ events, more: after + limit < n });
  };
  return { firstAfter, pageAfter, reads: () => reads };
}

describe('headSeq', () => {
  it('finds a seq at or past the last event, within the precision, in few reads', async () => {
    for (const n of [1, 999, 1000, 1025, 123_456, 2_000_000]) {
      const l = log(n);
      const head = await headSeq(l.firstAfter, 1000);
      expect(head).toBeGreaterThanOrEqual(n);
      expect(head - n).toBeLessThanOrEqual(1000);
      expect(l.reads()).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n + 2)) + 4);
    }
  });

  it('is 0 for an empty log', async () => {
    expect(await headSeq(log(0).firstAfter)).toBe(0);
  });
});

describe('backfill', () => {
  it('reads the whole of a short log and opens the stream after its last event', async () => {
    const l = log(42);
    const b = await backfill(l.firstAfter, (a) => l.pageAfter(a), { keep: 5000 });
    expect(b.events.map((e) => e.seq)).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
    expect(b.cursor).toBe(42);
  });

  it('keeps the newest events of a long log, no more than asked', async () => {
    const l = log(50_000);
    const b = await backfill(l.firstAfter, (a) => l.pageAfter(a), { keep: 5000 });
    expect(b.events).toHaveLength(5000);
    expect(b.events.at(-1)?.seq).toBe(50_000);
    expect(b.cursor).toBe(50_000);
  });

  it('keeps the matching events only, and still resumes after the last event read', async () => {
    const l = log(30, (s) => (s % 3 === 0 ? 'mine' : 'other'));
    const b = await backfill(l.firstAfter, (a) => l.pageAfter(a), {
      keep: 5000,
      match: (e) => e.goal_id === 'mine',
    });
    expect(b.events.map((e) => e.seq)).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    expect(b.cursor).toBe(30);
  });

  it('resumes from where it started on an empty log', async () => {
    const l = log(0);
    const b = await backfill(l.firstAfter, (a) => l.pageAfter(a), { keep: 5000 });
    expect(b).toEqual({ events: [], cursor: 0, from: 0 });
  });
});
