import { KosError, PRIORITIES, type Priority } from '@kos/protocol';
import { aggregateKpis, type KpiBucket, type KpiTotals } from '../observe/kpis.ts';
import type { EventRecord } from '../store/records.ts';
import type { Core } from './core.ts';

export const KPI_LIMITS = {
  maxWindowMs: 7 * 24 * 3_600_000,
  minBucketMs: 1000,
  maxBuckets: 500,
  defaultWindowMs: 3_600_000,
  defaultBucketMs: 60_000,
} as const;

export interface Kpis {
  windowMs: number;
  bucketMs: number;
  buckets: KpiBucket[];
  totals: KpiTotals;
  /** This replica's uptime; the rest is the same on every replica (committed data). */
  uptimeMs: number;
  /** Ready tasks per priority tier now. */
  queueDepth: Record<Priority, number>;
}

/** Events read per query while walking the window. */
const PAGE = 5000;

/**
 * KPIs over the last `windowMs` in buckets of `bucketMs`, from the committed event log: buckets
 * are aligned to multiples of `bucketMs` (so successive calls and replicas agree on them), the
 * last one being the current one. Only the window's events are read (events_at), a page at a time.
 */
export async function readKpis(
  core: Core,
  req: { windowMs?: number | undefined; bucketMs?: number | undefined },
): Promise<Kpis> {
  const windowMs = req.windowMs ?? KPI_LIMITS.defaultWindowMs;
  const bucketMs = req.bucketMs ?? KPI_LIMITS.defaultBucketMs;
  const count = Math.ceil(windowMs / bucketMs);
  if (bucketMs > windowMs || count > KPI_LIMITS.maxBuckets) {
    throw new KosError(
      'KOS_ERR_VALIDATION',
      `window_ms ${windowMs} in buckets of ${bucketMs} ms makes ${count} buckets; at most ${KPI_LIMITS.maxBuckets}, and bucket_ms may not exceed window_ms`,
      { problems: [`query must have 1 to ${KPI_LIMITS.maxBuckets} buckets (window_ms / bucket_ms)`] },
    );
  }
  const now = core.store.now();
  const end = Math.ceil((now + 1) / bucketMs) * bucketMs;
  const start = end - count * bucketMs;
  const { events, leaseStarts, ready } = await core.store.read(async (tx) => {
    const events: EventRecord[] = [];
    const kinds = ['task.state', 'task.assigned', 'agent.state'] as const;
    for (let afterSeq = 0; ;) {
      const page = await tx.listEvents({ kinds: [...kinds], since: start, afterSeq, limit: PAGE });
      events.push(...page);
      if (page.length < PAGE) break;
      afterSeq = page.at(-1)!.seq;
    }
    // Successes whose lease began before the window: their lease start is on the task row.
    const assigned = new Set(events.filter((e) => e.kind === 'task.assigned').map((e) => e.taskId));
    const untimed = events
      .filter((e) => e.kind === 'task.state' && e.data.to === 'succeeded' && !assigned.has(e.taskId))
      .map((e) => e.taskId)
      .filter((id): id is string => id !== null);
    const tasks = untimed.length === 0 ? [] : await tx.getTasks(untimed);
    const leaseStarts = new Map(
      tasks.flatMap((t) => (t.leasedAt === null ? [] : [[t.id, t.leasedAt] as const])),
    );
    return { events, leaseStarts, ready: await tx.countReadyByPriority() };
  });
  const { buckets, totals } = aggregateKpis(events, { start, bucketMs, buckets: count, now }, leaseStarts);
  const queueDepth = Object.fromEntries(PRIORITIES.map((p) => [p, ready[p] ?? 0])) as Record<
    Priority,
    number
  >;
  return { windowMs, bucketMs, buckets, totals, uptimeMs: now - core.startedAt, queueDepth };
}
