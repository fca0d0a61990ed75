/** The heatmap's geometry: label gutters, then a grid of equal cells; hit-testing a point. */
export interface HeatmapLayout {
  rows: number;
  cols: number;
  /** Width of the row labels. */
  left: number;
  /** Height of the column labels. */
  top: number;
  /** Room right of the grid for the last column's slanted label. */
  right: number;
  cell: number;
  width: number;
  height: number;
}

export function heatmapLayout(opts: {
  rows: number;
  cols: number;
  /** The width available for the whole chart. */
  maxWidth: number;
  left?: number;
  top?: number;
  minCell?: number;
  maxCell?: number;
}): HeatmapLayout {
  const left = opts.left ?? 180;
  const top = opts.top ?? 90;
  const right = 60;
  const fit = opts.cols === 0 ? (opts.maxCell ?? 28) : Math.floor((opts.maxWidth - left - right) / opts.cols);
  const cell = Math.max(opts.minCell ?? 6, Math.min(opts.maxCell ?? 28, fit));
  return {
    rows: opts.rows,
    cols: opts.cols,
    left,
    top,
    right,
    cell,
    width: left + opts.cols * cell + right,
    height: top + opts.rows * cell,
  };
}

/** The cell under (x, y) in the chart's own pixels, or null outside the grid. */
export function cellAt(layout: HeatmapLayout, x: number, y: number): { row: number; col: number } | null {
  const col = Math.floor((x - layout.left) / layout.cell);
  const row = Math.floor((y - layout.top) / layout.cell);
  if (x < layout.left || y < layout.top || col >= layout.cols || row >= layout.rows) return null;
  return { row, col };
}

/** The centre of a cell, in the chart's pixels (for tests and tooltips). */
export function cellCentre(layout: HeatmapLayout, row: number, col: number): { x: number; y: number } {
  return { x: layout.left + (col + 0.5) * layout.cell, y: layout.top + (row + 0.5) * layout.cell };
}
