// The report table: one row per measure, kOS per SQLite mode, each peer, and kOS's ratio to each.
import type { SqliteMode } from './peers/kos.ts';
import { formatNumber, formatRatio, markdownTable, ratio } from './stats.ts';
import type { Measure } from './workload.ts';

export interface Row {
  workload: string;
  size: string;
  measure: Measure;
  kos: Partial<Record<SqliteMode, number | undefined>>;
  bullmq: number | undefined;
  graphile: number | undefined;
}

function vs(row: Row, modes: readonly SqliteMode[], peer: number | undefined): string {
  if (peer === undefined) return 'n/a';
  return modes.map((m) => formatRatio(ratio(row.kos[m] ?? Number.NaN, peer, row.measure.better))).join(' / ');
}

export function renderTable(rows: readonly Row[], modes: readonly SqliteMode[]): string {
  const header = [
    'workload',
    'measure',
    ...modes.map((m) => `kOS ${m}`),
    'BullMQ',
    'graphile-worker',
    `vs BullMQ (${modes.join(' / ')})`,
    'vs graphile',
    'size',
  ];
  const body = rows.map((r) => [
    r.workload,
    `${r.measure.label} (${r.measure.unit}, ${r.measure.better} is better)`,
    ...modes.map((m) => formatNumber(r.kos[m])),
    r.bullmq === undefined ? 'n/a' : formatNumber(r.bullmq),
    r.graphile === undefined ? 'n/a' : formatNumber(r.graphile),
    vs(r, modes, r.bullmq),
    vs(r, modes, r.graphile),
    r.size,
  ]);
  return markdownTable(header, body);
}
