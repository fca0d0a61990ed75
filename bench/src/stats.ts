// Pure helpers for the benchmark report: percentiles, number and ratio formatting, a text table.

/** The p-th percentile (0–100) of the values, nearest-rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** A figure for a table: thousands separated, fewer decimals as it grows. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export type Better = 'higher' | 'lower';

/** How many times better kOS is than a peer (above 1: kOS is better), whichever way is better. */
export function ratio(kos: number, peer: number, better: Better): number {
  if (!(kos > 0) || !(peer > 0)) return Number.NaN;
  return better === 'higher' ? kos / peer : peer / kos;
}

export function formatRatio(value: number): string {
  if (Number.isNaN(value)) return '—';
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×`;
}

/** A Markdown table (also readable on a terminal). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
