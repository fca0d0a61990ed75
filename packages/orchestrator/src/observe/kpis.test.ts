import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../store/records.ts';
import { aggregateKpis, percentile } from './kpis.ts';

let seq = 0;
function ev(
  at: number,
  kind: EventRecord['kind'],
  taskId: string | null,
  data: Record<string, unknown> = {},
): EventRecord {
  seq += 1;
  return { seq, at, kind, goalId: null, taskId, agentId: null, actor: 'system', data };
}
const moved = (at: number, taskId: string, from: string, to: string) =>
  ev(at, 'task.state', taskId, { from, to });
const assigned = (at: number, taskId: string) => ev(at, 'task.assigned', taskId);

// Three buckets of 1 s from t=10 000; now is in the middle of the last one.
const window = { start: 10_000, bucketMs: 1000, buckets: 3, now: 12_500 };

describe('aggregateKpis', () => {
  it('counts successes, failed attempts, deaths and retries in the bucket of their time', () => {
    const { buckets } = aggregateKpis(
      [
        moved(10_100, 't1', 'running', 'succeeded'),
        moved(10_200, 't2', 'leased', 'retrying'),
        moved(11_000, 't2', 'running', 'dead'),
        moved(11_500, 't3', 'awaiting_approval', 'dead'),
        moved(12_400, 't4', 'leased', 'succeeded'),
        // Outside the window, and transitions that are none of these.
        moved(9_999, 't5', 'running', 'succeeded'),
        moved(13_000, 't6', 'running', 'succeeded'),
        moved(10_300, 't7', 'pending', 'ready'),
      ],
      window,
    );
    expect(buckets.map((b) => [b.start, b.succeeded, b.failed, b.dead, b.retries])).toEqual([
      [10_000, 1, 1, 0, 1],
      [11_000, 0, 1, 2, 0],
      [12_000, 1, 0, 0, 0],
    ]);
    // A full bucket's rate is per second of it; the current one's per elapsed second (0.5 s).
    expect(buckets.map((b) => b.throughputPerS)).toEqual([1, 0, 2]);
  });

  it('times a success from the lease of its attempt, or from the given lease start, and not without one', () => {
    const { buckets, totals } = aggregateKpis(
      [
        assigned(10_000, 'a'),
        moved(10_100, 'a', 'leased', 'retrying'),
        assigned(10_200, 'a'),
        moved(10_500, 'a', 'running', 'succeeded'),
        moved(11_900, 'before', 'running', 'succeeded'),
        moved(12_000, 'unknown', 'running', 'succeeded'),
      ],
      window,
      new Map([['before', 9_900]]),
    );
    expect(buckets.map((b) => [b.responseP50Ms, b.responseP95Ms])).toEqual([
      [300, 300],
      [2000, 2000],
      [null, null],
    ]);
    expect([totals.responseP50Ms, totals.responseP95Ms]).toEqual([300, 2000]);
    expect(totals.successRate).toBe(3 / 4);
  });

  it('totals success rate, throughput, retries and agents lost or quarantined over the window', () => {
    const { totals } = aggregateKpis(
      [
        moved(10_100, 't1', 'running', 'succeeded'),
        moved(10_200, 't2', 'running', 'retrying'),
        ev(10_300, 'agent.state', null, { from: 'active', to: 'lost' }),
        ev(11_300, 'agent.state', null, { from: 'active', to: 'quarantined' }),
        ev(11_400, 'agent.state', null, { from: 'lost', to: 'active' }),
      ],
      window,
    );
    expect(totals).toEqual({
      successRate: 0.5,
      responseP50Ms: null,
      responseP95Ms: null,
      throughputPerS: 1 / 2.5,
      retries: 1,
      agentsLost: 1,
      agentsQuarantined: 1,
    });
  });

  it('answers nulls and zeros for a window without events', () => {
    const { buckets, totals } = aggregateKpis([], window);
    expect(buckets).toHaveLength(3);
    expect(buckets.every((b) => b.succeeded === 0 && b.responseP50Ms === null)).toBe(true);
    expect(totals.successRate).toBeNull();
    expect(totals.throughputPerS).toBe(0);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect([percentile(values, 0.5), percentile(values, 0.95), percentile(values, 1)]).toEqual([
      50, 100, 100,
    ]);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});
