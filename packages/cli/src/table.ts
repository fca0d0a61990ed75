/** Plain-text output helpers: aligned tables, short ids, compact times. No colours, no dependencies. */

export interface TableOptions {
  /** Columns aligned to the right (numbers). */
  alignRight?: readonly number[];
  /** Spaces between columns. */
  gap?: number;
}

/**
 * Formats rows under a header as aligned columns, one line per row, trailing spaces trimmed.
 * Widths count code points so that `→` or accented names do not shift the columns.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  opts: TableOptions = {},
): string {
  const gap = ' '.repeat(opts.gap ?? 2);
  const right = new Set(opts.alignRight ?? []);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => width(r[c] ?? ''))));
  return all
    .map((r) =>
      header
        .map((_, c) => {
          const cell = r[c] ?? '';
          const pad = ' '.repeat((widths[c] ?? 0) - width(cell));
          return right.has(c) ? pad + cell : cell + pad;
        })
        .join(gap)
        .trimEnd(),
    )
    .join('\n');
}

function width(s: string): number {
  return [...s].length;
}

/** The first 8 characters of an id: enough to tell apart the rows of one table. */
export function shortId(id: string | null | undefined): string {
  return id === null || id === undefined ? '-' : id.slice(0, 8);
}

/** Cuts text to `max` code points, ending with `…` when cut. */
export function truncate(s: string, max: number): string {
  const cps = [...s];
  return cps.length <= max ? s : cps.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/** `2024-11-22T10:01:02.345Z` → `2024-11-22 10:01:02` (UTC, like the API). */
export function shortTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '-';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m === null ? iso : `${m[1]} ${m[2]}`;
}
