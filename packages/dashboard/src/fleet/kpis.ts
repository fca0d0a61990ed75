import type { KpisResponse } from '@kos/contracts';

/** GET /orchestration/kpis shaped for the overview's cards and charts, and the figures' formats. */

export type Series = (number | null)[];

export interface KpiSeries {
  /** Bucket starts in seconds (uPlot's x axis). */
  x: number[];
  /** Per bucket, succeeded / (succeeded + failed attempts), as a percentage; null without either. */
  successPct: Series;
  p50: Series;
  p95: Series;
  throughput: number[];
  retries: number[];
  failed: number[];
}

export function kpiSeries(k: Pick<KpisResponse, 'buckets'>): KpiSeries {
  const out: KpiSeries = { x: [], successPct: [], p50: [], p95: [], throughput: [], retries: [], failed: [] };
  for (const b of k.buckets) {
    out.x.push(Date.parse(b.start) / 1000);
    const attempts = b.succeeded + b.failed;
    out.successPct.push(attempts === 0 ? null : (100 * b.succeeded) / attempts);
    out.p50.push(b.response_p50_ms);
    out.p95.push(b.response_p95_ms);
    out.throughput.push(b.throughput_per_s);
    out.retries.push(b.retries);
    out.failed.push(b.failed);
  }
  return out;
}

/** Windows the overview offers, each with a bucket giving 30–72 points. */
export const WINDOWS: readonly { label: string; windowMs: number; bucketMs: number }[] = [
  { label: '15 min', windowMs: 15 * 60_000, bucketMs: 30_000 },
  { label: '1 hour', windowMs: 3_600_000, bucketMs: 60_000 },
  { label: '6 hours', windowMs: 6 * 3_600_000, bucketMs: 5 * 60_000 },
  { label: '24 hours', windowMs: 24 * 3_600_000, bucketMs: 30 * 60_000 },
];

export const PRIORITY_TIERS = ['critical', 'high', 'medium', 'low'] as const;

export const formatPct = (ratio: number | null): string =>
  ratio === null ? '—' : `${(100 * ratio).toFixed(ratio >= 0.9995 || ratio === 0 ? 0 : 1)}%`;

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function formatRate(perS: number): string {
  if (perS === 0) return '0/s';
  if (perS >= 1) return `${perS.toFixed(perS >= 100 ? 0 : 1)}/s`;
  return `${(perS * 60).toFixed(perS * 60 >= 10 ? 0 : 1)}/min`;
}

/** 3725 → `1h 2m`; 59 → `59s`. */
export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${seconds % 60}s`;
  return `${seconds}s`;
}

/** A `by_state` count map in the given order, every state present. */
export function countsInOrder<S extends string>(
  byState: Partial<Record<S, number>>,
  order: readonly S[],
): [S, number][] {
  return order.map((s) => [s, byState[s] ?? 0]);
}
