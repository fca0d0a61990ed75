import { describe, expect, it } from 'vitest';
import { countsInOrder, formatMs, formatPct, formatRate, formatUptime, kpiSeries } from './kpis.ts';

const bucket = (start: string, succeeded: number, failed: number, p50: number | null) => ({
  start,
  succeeded,
  failed,
  dead: 0,
  retries: failed,
  throughput_per_s: succeeded / 60,
  response_p50_ms: p50,
  response_p95_ms: p50 === null ? null : p50 * 2,
});

describe('kpiSeries', () => {
  it('turns buckets into aligned series, seconds on x, success as a percentage', () => {
    const s = kpiSeries({
      buckets: [
        bucket('2024-01-01T00:00:00.000Z', 3, 1, 100),
        bucket('2024-01-01T00:01:00.000Z', 0, 0, null),
      ],
    });
    expect(s.x).toEqual([1704067200, 1704067260]);
    expect(s.successPct).toEqual([75, null]);
    expect(s.p50).toEqual([100, null]);
    expect(s.p95).toEqual([200, null]);
    expect(s.retries).toEqual([1, 0]);
    expect(s.throughput[0]).toBeCloseTo(0.05);
  });
});

describe('formats', () => {
  it('shows a missing figure as a dash rather than zero', () => {
    expect(formatPct(null)).toBe('—');
    expect(formatMs(null)).toBe('—');
  });

  it('rounds percentages, keeping a decimal below 100%', () => {
    expect(formatPct(1)).toBe('100%');
    expect(formatPct(0.8123)).toBe('81.2%');
    expect(formatPct(0)).toBe('0%');
  });

  it('picks the unit of a duration and of a rate', () => {
    expect(formatMs(820)).toBe('820 ms');
    expect(formatMs(1900)).toBe('1.90 s');
    expect(formatMs(125_000)).toBe('2.1 min');
    expect(formatRate(0.05)).toBe('3.0/min');
    expect(formatRate(2.5)).toBe('2.5/s');
    expect(formatUptime(3725)).toBe('1h 2m');
    expect(formatUptime(59)).toBe('59s');
    expect(formatUptime(90_000)).toBe('1d 1h');
  });

  it('lists counts in the given order with zero for missing states', () => {
    expect(countsInOrder<'a' | 'b' | 'c'>({ c: 2, a: 1 }, ['a', 'b', 'c'])).toEqual([
      ['a', 1],
      ['b', 0],
      ['c', 2],
    ]);
  });
});
