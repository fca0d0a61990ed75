import { useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { rowWindow } from './virtual-window.ts';

/**
 * A table that renders only the rows in view (rowWindow), so 1,000 agents or 5,000 events scroll
 * as smoothly as ten. Rows have one fixed height (`.vtable` cells do not wrap); the header stays
 * put while the body scrolls.
 */
export function VirtualTable<T>(props: {
  rows: readonly T[];
  rowHeight: number;
  /** The scroll area's maximum height in px. */
  maxHeight: number;
  header: ReactNode;
  /** One `<tr>` (with its key) per row. */
  renderRow: (row: T, index: number) => ReactElement;
  columns: number;
  label: string;
  testId?: string;
}) {
  const { rows, rowHeight } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(props.maxHeight);
  useEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const w = rowWindow({ count: rows.length, rowHeight, scrollTop, viewportHeight: viewport, overscan: 8 });
  const visible = rows.slice(w.start, w.end);
  return (
    <div
      ref={scroller}
      className="vtable-scroll"
      style={{ maxHeight: props.maxHeight }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <table
        className="vtable"
        aria-label={props.label}
        aria-rowcount={rows.length + 1}
        data-testid={props.testId}
      >
        <thead>{props.header}</thead>
        <tbody>
          {w.padTop > 0 ? (
            <tr aria-hidden="true" className="vpad">
              <td colSpan={props.columns} style={{ height: w.padTop }} />
            </tr>
          ) : null}
          {visible.map((row, i) => props.renderRow(row, w.start + i))}
          {w.padBottom > 0 ? (
            <tr aria-hidden="true" className="vpad">
              <td colSpan={props.columns} style={{ height: w.padBottom }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
