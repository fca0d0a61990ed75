import { useState } from 'react';
import { api, goalApi } from '../api/client.ts';
import { ErrorBox } from '../components/states.tsx';
import { cancellableFilter, describeFilters, type GoalFilters } from './filters.ts';

type Phase =
  | { at: 'idle' }
  | { at: 'counting' }
  | { at: 'asking'; count: number }
  | { at: 'cancelling'; count: number; done: number }
  | { at: 'done'; cancelled: number };

/**
 * Cancels every open goal the list's filters match, after saying how many that is. The server
 * cancels at most `limit` per call and says whether more remain, so this calls again until none do.
 */
export function BulkCancel({ filters, onDone }: { filters: GoalFilters; onDone: () => void }) {
  const [phase, setPhase] = useState<Phase>({ at: 'idle' });
  const [error, setError] = useState<unknown>(null);
  const target = cancellableFilter(filters);

  const count = async () => {
    if (target === null) return 0;
    let n = 0;
    let after: string | null = null;
    do {
      const page = await api.goals({ ...target, limit: 500, ...(after === null ? {} : { after }) });
      n += page.goals.length;
      after = page.next;
    } while (after !== null);
    return n;
  };
  const ask = () => {
    setError(null);
    setPhase({ at: 'counting' });
    count().then(
      (n) => setPhase({ at: 'asking', count: n }),
      (e: unknown) => {
        setError(e);
        setPhase({ at: 'idle' });
      },
    );
  };
  const cancel = async (expected: number) => {
    if (target === null) return;
    let done = 0;
    for (;;) {
      const r = await goalApi.cancelGoals({
        ...target,
        limit: 500,
        reason: 'bulk cancel from the dashboard',
      });
      done += r.cancelled.length;
      setPhase({ at: 'cancelling', count: expected, done });
      if (!r.remaining || r.matched === 0) break;
    }
    setPhase({ at: 'done', cancelled: done });
    onDone();
  };
  const confirm = (expected: number) => {
    setPhase({ at: 'cancelling', count: expected, done: 0 });
    cancel(expected).catch((e: unknown) => {
      setError(e);
      setPhase({ at: 'idle' });
    });
  };

  return (
    <div className="bulk-cancel" data-testid="bulk-cancel">
      {phase.at === 'asking' ? (
        phase.count === 0 ? (
          <span role="status">
            No open goal matches {describeFilters(filters)}: nothing to cancel.{' '}
            <button type="button" onClick={() => setPhase({ at: 'idle' })}>
              OK
            </button>
          </span>
        ) : (
          <div className="confirm" role="group" aria-label="confirm bulk cancel">
            <span>
              Cancel {phase.count.toLocaleString()} open goal{phase.count === 1 ? '' : 's'} matching{' '}
              {describeFilters(filters)}? Their unfinished tasks are cancelled too.
            </span>
            <button type="button" className="danger" onClick={() => confirm(phase.count)}>
              Cancel {phase.count.toLocaleString()} goal{phase.count === 1 ? '' : 's'}
            </button>
            <button type="button" onClick={() => setPhase({ at: 'idle' })}>
              Keep them
            </button>
          </div>
        )
      ) : (
        <button
          type="button"
          className="danger"
          disabled={phase.at === 'counting' || phase.at === 'cancelling' || target === null}
          title={target === null ? 'The state filter matches no open goal (planning or running)' : undefined}
          onClick={ask}
        >
          {phase.at === 'counting' ? 'Counting matching goals…' : 'Cancel matching goals…'}
        </button>
      )}
      {phase.at === 'cancelling' ? (
        <span role="status">
          Cancelling: {phase.done.toLocaleString()} of {phase.count.toLocaleString()}…
        </span>
      ) : null}
      {phase.at === 'done' ? (
        <span role="status" data-testid="bulk-cancel-result">
          Cancelled {phase.cancelled.toLocaleString()} goal{phase.cancelled === 1 ? '' : 's'}.
        </span>
      ) : null}
      {error !== null ? <ErrorBox error={error} /> : null}
    </div>
  );
}
