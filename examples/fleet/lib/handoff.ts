/**
 * What one agent of the fleet hands the next, through the orchestrator (`ctx.upstream`): the
 * shapes, and guards that check a result really has that shape before it is used.
 */
import type { Analysis, OrderRow } from './analysis.ts';

export const COLUMNS = ['date', 'region', 'segment', 'orders', 'revenue'] as const;

/** The collector's result: the rows as arrays under one header, to keep the result small. */
export interface CollectedData {
  source: string;
  columns: typeof COLUMNS;
  rows: [string, string, string, number, number][];
}

export function collected(source: string, rows: readonly OrderRow[]): CollectedData {
  return {
    source,
    columns: COLUMNS,
    rows: rows.map((r) => [r.date, r.region, r.segment, r.orders, r.revenue]),
  };
}

export function orderRows(data: CollectedData): OrderRow[] {
  return data.rows.map(([date, region, segment, orders, revenue]) => ({
    date,
    region,
    segment,
    orders,
    revenue,
  }));
}

export function isCollectedData(v: unknown): v is CollectedData {
  return (
    typeof v === 'object' &&
    v !== null &&
    'rows' in v &&
    Array.isArray(v.rows) &&
    'columns' in v &&
    Array.isArray(v.columns) &&
    COLUMNS.every((c, i) => (v.columns as unknown[])[i] === c)
  );
}

export function isAnalysis(v: unknown): v is Analysis {
  return typeof v === 'object' && v !== null && 'trend' in v && 'months' in v && Array.isArray(v.months);
}

/** The `goal` and `context` the analysis template puts in every task's input ('' when absent). */
export function goalInput(input: unknown): { goal: string; context: string; path: string | null } {
  const o = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const text = (k: string): string => {
    const v = o[k];
    return typeof v === 'string' ? v : '';
  };
  return { goal: text('goal'), context: text('context'), path: text('path') || null };
}
