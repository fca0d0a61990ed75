import { useState, type ReactNode, type UIEvent } from 'react';
import { visibleRange } from './virtual.ts';

export interface Column<T> {
  header: string;
  /** A CSS grid track: `2fr`, `120px`. */
  width: string;
  cell: (item: T) => ReactNode;
}

/**
 * A table that renders only the rows in view (fixed row height), so a list of 10,000 goals or
 * tasks scrolls as lightly as one of fifty. ARIA table roles keep it a table for people and tests.
 */
export function VirtualRows<T>(props: {
  items: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (item: T) => string;
  label: string;
  testId?: string;
  rowHeight?: number;
  viewportHeight?: number;
  /** Called when the view nears the end of the list (to load the next page). */
  onNearEnd?: () => void;
}) {
  const { items, columns, rowKey } = props;
  const rowHeight = props.rowHeight ?? 34;
  const viewport = props.viewportHeight ?? 520;
  const [scrollTop, setScrollTop] = useState(0);
  const { start, end } = visibleRange(scrollTop, viewport, rowHeight, items.length);
  const template = columns.map((c) => c.width).join(' ');
  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    setScrollTop(el.scrollTop);
    if (props.onNearEnd && el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight * 10)
      props.onNearEnd();
  };
  return (
    <div
      className="vtable"
      role="table"
      aria-label={props.label}
      aria-rowcount={items.length + 1}
      data-testid={props.testId}
    >
      <div className="vrow vhead" role="row" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div role="columnheader" key={c.header}>
            {c.header}
          </div>
        ))}
      </div>
      <div
        className="vbody"
        style={{ height: Math.min(viewport, items.length * rowHeight) }}
        onScroll={onScroll}
      >
        <div style={{ height: items.length * rowHeight, position: 'relative' }}>
          {items.slice(start, end).map((item, i) => (
            <div
              role="row"
              aria-rowindex={start + i + 2}
              key={rowKey(item)}
              className="vrow"
              style={{ top: (start + i) * rowHeight, height: rowHeight, gridTemplateColumns: template }}
            >
              {columns.map((c) => (
                <div role="cell" key={c.header}>
                  {c.cell(item)}
                </div>
              ))}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
