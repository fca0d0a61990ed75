import type { ReactNode } from 'react';
import { Sparkline, type Line } from '../charts/sparkline.tsx';

/** A KPI: its figure over the window, what it means, and a small chart of it per bucket. */
export function KpiCard(props: {
  id: string;
  title: string;
  value: ReactNode;
  detail?: ReactNode;
  x: readonly number[];
  lines: readonly Line[];
}) {
  return (
    <div className="card kpi" data-testid={`kpi-${props.id}`}>
      <div className="label">{props.title}</div>
      <div className="value" data-testid={`kpi-${props.id}-value`}>
        {props.value}
      </div>
      {props.detail !== undefined ? <div className="muted kpi-detail">{props.detail}</div> : null}
      <Sparkline x={props.x} lines={props.lines} label={`${props.title} per bucket`} />
      {props.lines.length > 1 ? (
        <div className="legend">
          {props.lines.map((l) => (
            <span key={l.label}>
              <span className="swatch" style={{ background: l.color }} /> {l.label}
            </span>
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** A count per state as badges-with-numbers; states with none are shown faint. */
export function StateCounts(props: {
  id: string;
  title: string;
  total: number;
  counts: [string, number][];
  color: (s: string) => string;
}) {
  return (
    <div className="card" data-testid={`counts-${props.id}`}>
      <div className="row">
        <strong>{props.title}</strong>
        <span className="muted" data-testid={`counts-${props.id}-total`}>
          {props.total} in all
        </span>
      </div>
      <ul className="state-counts">
        {props.counts.map(([state, n]) => (
          <li key={state} data-state={state} data-count={n} className={n === 0 ? 'none' : ''}>
            <span className="swatch" style={{ background: props.color(state) }} />
            <span>{state.replace(/_/g, ' ')}</span>
            <span className="mono">{n}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
