import { useEffect, useMemo, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { colorAt, normalizer } from './color-scale.ts';
import { cellAt, heatmapLayout, type HeatmapLayout } from './heatmap-layout.ts';

export interface HeatCell {
  row: number;
  col: number;
  value: number;
}

/**
 * A heatmap on one canvas (a tensor of 1,000 tasks × 200 agents is 200,000 cells: too many for
 * SVG nodes). Rows and columns are labelled; the cell under the pointer is outlined and
 * `tooltip(cell)` is shown beside it. The layout is on the canvas as data attributes, for tests.
 */
export function Heatmap<C extends HeatCell>(props: {
  rowLabels: readonly string[];
  colLabels: readonly string[];
  cells: readonly C[];
  at: (row: number, col: number) => C | undefined;
  tooltip: (cell: C) => ReactNode;
  maxWidth: number;
  label: string;
}) {
  const { rowLabels, colLabels, cells } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ cell: C; x: number; y: number } | null>(null);
  const rows = rowLabels.length;
  const cols = colLabels.length;
  const layout = useMemo(
    () => heatmapLayout({ rows, cols, maxWidth: props.maxWidth }),
    [rows, cols, props.maxWidth],
  );

  useEffect(() => {
    const el = canvas.current;
    if (el === null) return;
    draw(el, layout, rowLabels, colLabels, cells);
  }, [layout, rowLabels, colLabels, cells]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const hit = cellAt(layout, x, y);
    const cell = hit === null ? undefined : props.at(hit.row, hit.col);
    // The tip is fixed to the viewport, so the chart's scroll box does not clip it.
    setHover(cell === undefined ? null : { cell, x: e.clientX, y: e.clientY });
  };

  return (
    <div className="heatmap">
      <canvas
        ref={canvas}
        role="img"
        aria-label={props.label}
        data-testid="heatmap"
        data-cells={cells.length}
        data-left={layout.left}
        data-top={layout.top}
        data-cell={layout.cell}
        style={{ width: layout.width, height: layout.height }}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(null)}
      />
      {hover !== null ? (
        <div
          className="heatmap-tip"
          role="tooltip"
          data-testid="heatmap-tooltip"
          style={{ left: hover.x + 14, top: hover.y + 14 }}
        >
          {props.tooltip(hover.cell)}
        </div>
      ) : null}
    </div>
  );
}

function draw(
  el: HTMLCanvasElement,
  l: HeatmapLayout,
  rowLabels: readonly string[],
  colLabels: readonly string[],
  cells: readonly HeatCell[],
): void {
  const ratio = window.devicePixelRatio || 1;
  el.width = Math.ceil(l.width * ratio);
  el.height = Math.ceil(l.height * ratio);
  const g = el.getContext('2d');
  if (g === null) return;
  g.scale(ratio, ratio);
  g.clearRect(0, 0, l.width, l.height);
  // The grid: empty cells are the panel's background with a faint line.
  g.fillStyle = '#f3f4f6';
  g.fillRect(l.left, l.top, l.cols * l.cell, l.rows * l.cell);
  const norm = normalizer(cells.map((c) => c.value));
  const gap = l.cell >= 10 ? 1 : 0;
  for (const c of cells) {
    g.fillStyle = colorAt(0.15 + 0.85 * norm(c.value));
    g.fillRect(l.left + c.col * l.cell, l.top + c.row * l.cell, l.cell - gap, l.cell - gap);
  }
  // Labels only when they fit (at least 10 px a line); otherwise the tooltip names the cell.
  g.fillStyle = '#374151';
  g.font = '11px system-ui, sans-serif';
  g.textBaseline = 'middle';
  if (l.cell >= 10) {
    rowLabels.forEach((name, i) => g.fillText(clip(g, name, l.left - 8), 4, l.top + (i + 0.5) * l.cell));
    g.save();
    colLabels.forEach((name, j) => {
      g.save();
      g.translate(l.left + (j + 0.5) * l.cell, l.top - 6);
      g.rotate(-Math.PI / 3);
      g.fillText(clip(g, name, l.top * 1.1), 0, 0);
      g.restore();
    });
    g.restore();
  }
}

function clip(g: CanvasRenderingContext2D, text: string, width: number): string {
  if (g.measureText(text).width <= width) return text;
  let s = text;
  while (s.length > 1 && g.measureText(`${s}…`).width > width) s = s.slice(0, -1);
  return `${s}…`;
}
