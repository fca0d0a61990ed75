import { describe, expect, it } from 'vitest';
import { metricSum, metricValue, slope, trend, type Sample } from './samples.ts';

const TEXT = [
  '# HELP process_resident_memory_bytes Resident memory size in bytes.',
  'process_resident_memory_bytes 73400320',
  'nodejs_eventloop_lag_p99_seconds 0.012',
  'kos_tasks_transitions_total{to="succeeded",from="running"} 40',
  'kos_tasks_transitions_total{to="succeeded",from="leased"} 2',
  'kos_tasks_transitions_total{to="failed",from="running"} 5',
].join('\n');

describe('soak figures', () => {
  it('reads a metric from Prometheus text, NaN when absent', () => {
    expect(metricValue(TEXT, 'process_resident_memory_bytes')).toBe(73_400_320);
    expect(metricValue(TEXT, 'nodejs_eventloop_lag_p99_seconds')).toBe(0.012);
    expect(metricValue(TEXT, 'process_resident_memory')).toBeNaN();
  });

  it('sums the series of a metric whose labels match', () => {
    expect(metricSum(TEXT, 'kos_tasks_transitions_total', 'to="succeeded"')).toBe(42);
    expect(metricSum(TEXT, 'kos_tasks_transitions_total')).toBe(47);
    expect(metricSum(TEXT, 'kos_nothing')).toBe(0);
  });

  it('fits a least-squares slope, and none for fewer than two points', () => {
    expect(
      slope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ]),
    ).toBeCloseTo(2);
    expect(
      slope([
        { x: 0, y: 1 },
        { x: 1, y: 0 },
        { x: 2, y: 1 },
        { x: 3, y: 0 },
      ]),
    ).toBeCloseTo(-0.2);
    expect(slope([{ x: 5, y: 9 }])).toBe(0);
  });

  it('gives slopes per hour after the warm-up only', () => {
    const at = (minute: number, rssMiB: number): Sample => ({
      minute,
      rssMiB,
      heapUsedMiB: 20,
      loopP99Ms: 1,
      activeHandles: 10 + minute,
      openFds: 30,
      tasksSucceeded: 0,
      goalsSubmitted: 0,
    });
    // Growth in the first two minutes (warm-up), flat after.
    const t = trend([at(0, 50), at(1, 70), at(2, 80), at(3, 80), at(4, 80)], 2);
    expect(t.used).toBe(3);
    expect(t.rssMiBPerHour).toBeCloseTo(0);
    expect(t.heapMiBPerHour).toBeCloseTo(0);
    expect(t.handlesPerHour).toBeCloseTo(60);
    expect(t.fdsPerHour).toBeCloseTo(0);
  });
});
