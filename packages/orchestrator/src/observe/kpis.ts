import type { EventRecord } from '../store/records.ts';

/**
 * KPIs over time from the event log, pure: events in, buckets and totals out. The use case reads
 * the events of the window (app/kpis.ts); this decides what counts as what:
 * - succeeded: a task entering `succeeded`; dead: a task entering `dead`;
 * - failed: a failed attempt (a leased or running task entering `retrying` or `dead`: a reported
 *   failure, a lease lost or a timeout);
 * - retries: a task entering `retrying`;
 * - response time: from the lease of the attempt that succeeded (its `task.assigned` event) to the
 *   task entering `succeeded`; a success without a known lease start is counted but not timed;
 * - throughput: successes per second of the bucket (of the elapsed part, for the current bucket);
 * - success rate: succeeded / (succeeded + failed attempts), null without any.
 * Percentiles are nearest-rank; null when no success was timed.
 */

export interface KpiWindow {
  /** Start of the first bucket (ms, store clock). */
  start: number;
  bucketMs: number;
  buckets: number;
  /** Now: the last bucket is the current one, filled up to here. */
  now: number;
}

export interface KpiBucket {
  start: number;
  succeeded: number;
  failed: number;
  dead: number;
  retries: number;
  throughputPerS: number;
  responseP50Ms: number | null;
  responseP95Ms: number | null;
}

export interface KpiTotals {
  successRate: number | null;
  responseP50Ms: number | null;
  responseP95Ms: number | null;
  throughputPerS: number;
  retries: number;
  agentsLost: number;
  agentsQuarantined: number;
}

const LEASED = new Set(['leased', 'running', 'cancelling']);

/**
 * Aggregates `events` (any order; those outside the window are ignored) into the window's buckets.
 * `leaseStarts` gives the lease start of successful tasks whose `task.assigned` event is before
 * the window (from the task rows).
 */
export function aggregateKpis(
  events: readonly EventRecord[],
  window: KpiWindow,
  leaseStarts: ReadonlyMap<string, number> = new Map(),
): { buckets: KpiBucket[]; totals: KpiTotals } {
  const { start, bucketMs, now } = window;
  const end = start + window.buckets * bucketMs;
  const counts = Array.from({ length: window.buckets }, () => ({
    succeeded: 0,
    failed: 0,
    dead: 0,
    retries: 0,
    times: [] as number[],
  }));
  let agentsLost = 0;
  let agentsQuarantined = 0;
  const assignedAt = new Map<string, number>();
  const sorted = [...events].sort((a, b) => a.at - b.at || a.seq - b.seq);
  for (const e of sorted) {
    if (e.kind === 'task.assigned' && e.taskId !== null) assignedAt.set(e.taskId, e.at);
    if (e.at < start || e.at >= end) continue;
    const bucket = counts[Math.floor((e.at - start) / bucketMs)];
    if (bucket === undefined) continue;
    const to = e.data.to;
    if (e.kind === 'agent.state') {
      if (to === 'lost') agentsLost++;
      if (to === 'quarantined') agentsQuarantined++;
      continue;
    }
    if (e.kind !== 'task.state') continue;
    if (to === 'succeeded') {
      bucket.succeeded++;
      const leased = e.taskId === null ? undefined : (assignedAt.get(e.taskId) ?? leaseStarts.get(e.taskId));
      if (leased !== undefined && leased <= e.at) bucket.times.push(e.at - leased);
    }
    if (to === 'dead') bucket.dead++;
    if (to === 'retrying') bucket.retries++;
    if ((to === 'retrying' || to === 'dead') && LEASED.has(String(e.data.from))) bucket.failed++;
  }

  const seconds = (from: number) => Math.max(1, Math.min(now, end) - from) / 1000;
  const buckets = counts.map((c, i): KpiBucket => {
    const at = start + i * bucketMs;
    const times = c.times.sort((a, b) => a - b);
    return {
      start: at,
      succeeded: c.succeeded,
      failed: c.failed,
      dead: c.dead,
      retries: c.retries,
      throughputPerS: c.succeeded / Math.min(bucketMs / 1000, seconds(at)),
      responseP50Ms: percentile(times, 0.5),
      responseP95Ms: percentile(times, 0.95),
    };
  });
  const sum = (f: (c: (typeof counts)[number]) => number) => counts.reduce((n, c) => n + f(c), 0);
  const succeeded = sum((c) => c.succeeded);
  const failed = sum((c) => c.failed);
  const times = counts.flatMap((c) => c.times).sort((a, b) => a - b);
  return {
    buckets,
    totals: {
      successRate: succeeded + failed === 0 ? null : succeeded / (succeeded + failed),
      responseP50Ms: percentile(times, 0.5),
      responseP95Ms: percentile(times, 0.95),
      throughputPerS: succeeded / seconds(start),
      retries: sum((c) => c.retries),
      agentsLost,
      agentsQuarantined,
    },
  };
}

/** Nearest-rank percentile of sorted values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}
