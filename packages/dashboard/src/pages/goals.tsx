import { useState, type FormEvent } from 'react';
import type { WireGoal } from '@kos/contracts';
import { goalApi } from '../api/client.ts';
import { useApi, useLiveRefresh } from '../api/hooks.ts';
import { may, useSession } from '../api/session.tsx';
import { StateBadge } from '../components/badge.tsx';
import { Link } from '../components/link.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { setQuery, useLocation } from '../router.ts';
import { BulkCancel } from '../goals/bulk-cancel.tsx';
import { GOAL_STATES } from '../api/states.ts';
import { apiFilter, describeFilters, filtersFrom, type GoalFilters } from '../goals/filters.ts';
import { useGoalPages } from '../goals/use-goal-pages.ts';
import { VirtualRows, type Column } from '../goals/virtual-rows.tsx';

const COLUMNS: Column<WireGoal>[] = [
  {
    header: 'Goal',
    width: 'minmax(200px, 3fr)',
    cell: (g) => (
      <Link to={`/goals/${encodeURIComponent(g.id)}`} title={g.id}>
        {g.goal}
      </Link>
    ),
  },
  { header: 'State', width: '110px', cell: (g) => <StateBadge state={g.state} /> },
  { header: 'Template', width: '120px', cell: (g) => <span className="mono">{g.template}</span> },
  {
    header: 'Tasks',
    width: '150px',
    cell: (g) => (
      <span title="succeeded / total (dead, skipped)">
        {g.succeeded_count}/{g.task_count}
        {g.dead_count > 0 ? ` · ${g.dead_count} dead` : ''}
        {g.skipped_count > 0 ? ` · ${g.skipped_count} skipped` : ''}
      </span>
    ),
  },
  { header: 'Priority', width: '80px', cell: (g) => g.priority },
  { header: 'Created', width: '170px', cell: (g) => new Date(g.created_at).toLocaleString() },
];

/** Goals: the list, filtered on the server by state, template and text (kept in the URL). */
export function Goals() {
  const { query } = useLocation();
  const { session } = useSession();
  const filters = filtersFrom(query);
  const list = useGoalPages(apiFilter(filters));
  useLiveRefresh((e) => e.kind === 'goal.submitted' || e.kind === 'goal.state', list.refresh, 1000);
  return (
    <section>
      <div className="row page-head">
        <h1>Goals</h1>
        <span className="spacer" />
        {may(session, 'submit') ? <Link to="/submit">Submit a goal</Link> : null}
      </div>
      <FilterBar filters={filters} />
      {may(session, 'cancel') ? <BulkCancel filters={filters} onDone={list.refresh} /> : null}
      {list.error !== undefined ? <ErrorBox error={list.error} retry={list.refresh} /> : null}
      {list.loading ? (
        <Loading what="goals" />
      ) : list.goals.length === 0 ? (
        <Empty>
          No goals match {describeFilters(filters)}.{' '}
          {query.toString() === '' ? (
            <>
              Submit one on the <Link to="/submit">Submit</Link> page.
            </>
          ) : (
            'Widen the filters above.'
          )}
        </Empty>
      ) : (
        <>
          <p className="muted" data-testid="goal-count">
            {list.goals.length.toLocaleString()}
            {list.hasMore ? '+' : ''} goal{list.goals.length === 1 ? '' : 's'} ({describeFilters(filters)})
          </p>
          <VirtualRows
            items={list.goals}
            columns={COLUMNS}
            rowKey={(g) => g.id}
            label="goals"
            testId="goal-list"
            onNearEnd={list.loadMore}
          />
          {list.hasMore ? (
            <button type="button" onClick={list.loadMore} disabled={list.loadingMore}>
              {list.loadingMore ? 'Loading…' : 'Load more'}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}

function FilterBar({ filters }: { filters: GoalFilters }) {
  const [q, setQ] = useState(filters.q);
  const [template, setTemplate] = useState(filters.template);
  const templates = useApi(() => goalApi.templates(), 'templates');
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ q: q.trim(), template });
  };
  const toggleState = (state: string) => {
    const has = filters.states.includes(state);
    const states = has ? filters.states.filter((s) => s !== state) : [...filters.states, state];
    setQuery({ state: states.join(',') });
  };
  return (
    <form className="toolbar" onSubmit={apply} role="search" aria-label="goal filters">
      <label>
        Text
        <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="words in the goal" />
      </label>
      <label>
        Template
        <select
          value={template}
          onChange={(e) => {
            setTemplate(e.target.value);
            setQuery({ template: e.target.value });
          }}
        >
          <option value="">any</option>
          <option value="explicit">explicit (a submitted DAG)</option>
          {(templates.data?.templates ?? []).map((t) => (
            <option key={t.name} value={t.name}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="states">
        <legend>State</legend>
        {GOAL_STATES.map((s) => (
          <label key={s} className="check">
            <input type="checkbox" checked={filters.states.includes(s)} onChange={() => toggleState(s)} />
            {s}
          </label>
        ))}
      </fieldset>
      <button type="submit">Search</button>
    </form>
  );
}
