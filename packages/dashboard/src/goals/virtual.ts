/**
 * Which rows of a fixed-height list to render for a scroll position: the visible ones plus
 * `overscan` on each side, so 10,000 rows cost as much as the few dozen on screen.
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 8,
): { start: number; end: number } {
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(count - 1, first) - overscan);
  const end = Math.min(count, first + shown + overscan);
  return { start, end };
}

/**
 * The list after a refresh of its first page: goals already listed are updated in place, new
 * ones (submitted since) go on top, the pages loaded further down stay.
 */
export function mergeFirstPage<T extends { id: string }>(current: readonly T[], fresh: readonly T[]): T[] {
  const byId = new Map(fresh.map((g) => [g.id, g]));
  const known = new Set(current.map((g) => g.id));
  const added = fresh.filter((g) => !known.has(g.id));
  return [...added, ...current.map((g) => byId.get(g.id) ?? g)];
}
