import { useEffect, useState, type FormEvent } from 'react';
import type { WireEvent } from '@kos/contracts';
import { EVENT_KINDS } from '../api/stream.ts';
import { Link } from '../components/link.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { LOG_LIMIT, emptyLog, pause, receive, resume } from '../fleet/event-log.ts';
import { openLiveLog, type LiveLogState, type LogFilter } from '../fleet/live-log.ts';
import { VirtualTable } from '../fleet/virtual-table.tsx';
import { setQuery, useLocation } from '../router.ts';

const ROW_HEIGHT = 30;
const FIELDS = ['goal_id', 'task_id', 'agent_id', 'kind'] as const;

/** The live event log: its own filtered stream, newest first, pausable, bounded in memory. */
export function Events() {
  const { query } = useLocation();
  const filter: LogFilter = {};
  for (const f of FIELDS) {
    const v = query.get(f);
    if (v !== null && v !== '') filter[f] = v;
  }
  const key = FIELDS.map((f) => filter[f] ?? '').join('|');
  return (
    <section>
      <h1>Events</h1>
      <FilterForm key={key} filter={filter} />
      <LiveLog key={key} filter={filter} />
    </section>
  );
}

function FilterForm({ filter }: { filter: LogFilter }) {
  const [draft, setDraft] = useState<LogFilter>(filter);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery({
      goal_id: draft.goal_id?.trim(),
      task_id: draft.task_id?.trim(),
      agent_id: draft.agent_id?.trim(),
      kind: draft.kind,
    });
  };
  const text = (f: 'goal_id' | 'task_id' | 'agent_id', label: string) => (
    <label>
      {label}
      <input
        name={f}
        value={draft[f] ?? ''}
        placeholder="any"
        onChange={(e) => setDraft({ ...draft, [f]: e.target.value })}
      />
    </label>
  );
  return (
    <form className="toolbar" onSubmit={submit} aria-label="Event filters">
      {text('goal_id', 'Goal')}
      {text('task_id', 'Task')}
      {text('agent_id', 'Agent')}
      <label>
        Kind
        <select
          name="kind"
          value={draft.kind ?? ''}
          onChange={(e) => setDraft({ ...draft, kind: e.target.value })}
        >
          <option value="">any kind</option>
          {EVENT_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary">
        Apply
      </button>
      {FIELDS.some((f) => filter[f] !== undefined) ? (
        <button
          type="button"
          onClick={() =>
            setQuery({ goal_id: undefined, task_id: undefined, agent_id: undefined, kind: undefined })
          }
        >
          Clear
        </button>
      ) : null}
    </form>
  );
}

function LiveLog({ filter }: { filter: LogFilter }) {
  const [log, setLog] = useState(emptyLog);
  const [state, setState] = useState<LiveLogState>('backfilling');
  const [from, setFrom] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const { goal_id, task_id, agent_id, kind } = filter;
  useEffect(
    () =>
      openLiveLog({ goal_id, task_id, agent_id, kind }, LOG_LIMIT, {
        events: (events) => setLog((l) => receive(l, events)),
        state: setState,
        backfilled: setFrom,
        error: setError,
      }),
    [goal_id, task_id, agent_id, kind],
  );
  const label =
    state === 'live'
      ? 'live'
      : state === 'backfilling'
        ? 'loading…'
        : state === 'connecting'
          ? 'connecting…'
          : 'reconnecting…';
  return (
    <>
      <div className="row log-bar">
        <span className={`live ${state}`} data-testid="events-stream" data-state={state}>
          ● {label}
        </span>
        {log.paused ? (
          <button type="button" className="primary" onClick={() => setLog(resume)}>
            Resume ({log.held.length} new)
          </button>
        ) : (
          <button type="button" onClick={() => setLog(pause)}>
            Pause
          </button>
        )}
        {log.paused ? (
          <span className="notice" role="status" data-testid="events-held" data-count={log.held.length}>
            Paused: {log.held.length} new {log.held.length === 1 ? 'event' : 'events'} held; resume to show
            them.
          </span>
        ) : null}
        <span className="spacer" />
        <span className="muted" data-testid="events-count">
          {log.shown.length} shown, newest first; the page keeps the newest {LOG_LIMIT.toLocaleString('en')}{' '}
          in memory
          {log.dropped > 0 ? ` (${log.dropped} older let go)` : ''}
          {from !== null && from > 0 ? `; backfilled from seq ${from}` : ''}.
        </span>
      </div>
      {error !== undefined ? <ErrorBox error={error} /> : null}
      {state === 'backfilling' && error === undefined ? (
        <Loading what="recent events" />
      ) : log.shown.length === 0 && error === undefined ? (
        <Empty>
          No event {Object.keys(filter).length > 0 ? 'matches these filters' : 'yet'}; new ones appear here as
          they are committed.
        </Empty>
      ) : (
        <EventTable events={log.shown} />
      )}
    </>
  );
}

function EventTable({ events }: { events: readonly WireEvent[] }) {
  return (
    <VirtualTable
      rows={events}
      rowHeight={ROW_HEIGHT}
      maxHeight={Math.max(400, window.innerHeight - 240)}
      columns={8}
      label="Events"
      testId="events-table"
      header={
        <tr>
          <th>Seq</th>
          <th>At</th>
          <th>Kind</th>
          <th>Goal</th>
          <th>Task</th>
          <th>Agent</th>
          <th>Actor</th>
          <th>Data</th>
        </tr>
      }
      renderRow={(e) => (
        <tr
          key={e.seq}
          className="trow"
          data-testid="event-row"
          data-seq={e.seq}
          style={{ height: ROW_HEIGHT }}
        >
          <td className="mono">{e.seq}</td>
          <td className="mono" title={e.at}>
            {new Date(e.at).toLocaleTimeString()}
          </td>
          <td>{e.kind}</td>
          <td className="clip mono">
            {e.goal_id ? <Link to={`/goals/${encodeURIComponent(e.goal_id)}`}>{e.goal_id}</Link> : null}
          </td>
          <td className="clip mono">
            {e.task_id ? <Link to={`/tasks/${encodeURIComponent(e.task_id)}`}>{e.task_id}</Link> : null}
          </td>
          <td className="clip mono">
            {e.agent_id ? <Link to={`/agents/${encodeURIComponent(e.agent_id)}`}>{e.agent_id}</Link> : null}
          </td>
          <td className="clip mono">{e.actor}</td>
          <td className="clip mono" title={JSON.stringify(e.data)}>
            {JSON.stringify(e.data)}
          </td>
        </tr>
      )}
    />
  );
}
