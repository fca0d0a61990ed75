// The report table: one row per measure, kOS per store mode, each peer, and kOS's ratio to each.
import type { KosMode } from './peers/kos.ts';
import { formatNumber, formatRatio, markdownTable, ratio } from './stats.ts';
import type { Measure } from './workload.ts';

export type Peer = 'bullmq' | 'graphile' | 'pgboss';

export const PEERS: readonly { key: Peer; name: string; short: string }[] = [
  { key: 'bullmq', name: 'BullMQ', short: 'BullMQ' },
  { key: 'graphile', name: 'graphile-worker', short: 'graphile' },
  { key: 'pgboss', name: 'pg-boss', short: 'pg-boss' },
];

export interface Row extends Partial<Record<Peer, number>> {
  workload: string;
  size: string;
  measure: Measure;
  kos: Partial<Record<KosMode, number | undefined>>;
}

function vs(row: Row, modes: readonly KosMode[], peer: number | undefined): string {
  if (peer === undefined) return 'n/a';
  return modes.map((m) => formatRatio(ratio(row.kos[m] ?? Number.NaN, peer, row.measure.better))).join(' / ');
}

export function renderTable(rows: readonly Row[], modes: readonly KosMode[]): string {
  const header = [
    'workload',
    'measure',
    ...modes.map((m) => `kOS ${m}`),
    ...PEERS.map((p) => p.name),
    ...PEERS.map((p, i) => (i === 0 ? `vs ${p.short} (${modes.join(' / ')})` : `vs ${p.short}`)),
    'size',
  ];
  const body = rows.map((r) => [
    r.workload,
    `${r.measure.label} (${r.measure.unit}, ${r.measure.better} is better)`,
    ...modes.map((m) => formatNumber(r.kos[m])),
    ...PEERS.map((p) => (r[p.key] === undefined ? 'n/a' : formatNumber(r[p.key]))),
    ...PEERS.map((p) => vs(r, modes, r[p.key])),
    r.size,
  ]);
  return markdownTable(header, body);
}
