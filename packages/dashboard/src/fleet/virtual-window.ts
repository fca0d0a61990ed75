/**
 * Which rows of a long list to render: those in the viewport plus `overscan` on each side, with
 * the heights of the rows left out as padding, so the scrollbar still spans the whole list. Every
 * row has the same height (the fleet table's and the event log's rows are one line each).
 */
export interface RowWindow {
  /** First rendered row (inclusive). */
  start: number;
  /** Last rendered row (exclusive). */
  end: number;
  padTop: number;
  padBottom: number;
}

export function rowWindow(opts: {
  count: number;
  rowHeight: number;
  scrollTop: number;
  viewportHeight: number;
  overscan: number;
}): RowWindow {
  const { count, rowHeight, overscan } = opts;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const maxScroll = Math.max(0, count * rowHeight - opts.viewportHeight);
  const scrollTop = Math.min(Math.max(0, opts.scrollTop), maxScroll);
  const first = Math.floor(scrollTop / rowHeight);
  const visible = Math.ceil(Math.max(0, opts.viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight };
}
