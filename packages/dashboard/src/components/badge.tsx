import { stateColor } from '../state-colors.ts';

/** A state as a coloured pill; `data-state` lets tests and styles find it. */
export function StateBadge({ state }: { state: string }) {
  return (
    <span className="badge" data-state={state} style={{ background: stateColor(state) }}>
      {state.replace(/_/g, ' ')}
    </span>
  );
}
