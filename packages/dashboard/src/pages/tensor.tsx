import type { SparseTensorResponse, TensorResponse } from '@kos/contracts';
import { api } from '../api/client.ts';
import { useApi, useLiveRefresh } from '../api/hooks.ts';
import { Link } from '../components/link.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { colorAt } from '../charts/color-scale.ts';
import { Heatmap } from '../charts/heatmap.tsx';
import { tensorView, type TensorCell, type TensorView } from '../fleet/tensor-view.ts';
import { setQuery, useLocation } from '../router.ts';

const isSparse = (t: TensorResponse): t is SparseTensorResponse => 'entries' in t;

/**
 * The task tensor as a heatmap: a row per task, a column per agent, the colour the scheduler's
 * value for the pair at the task's priority level (the tensor's k index). Hovering a cell shows
 * the task, the agent, the value and the score parts a round ranks the pair by.
 */
export function Tensor() {
  const { query } = useLocation();
  const goalId = query.get('goal') ?? '';
  const goals = useApi(() => api.goals({ state: 'running', limit: 200 }), 'tensor-goals');
  const tensor = useApi(
    () => api.tensor({ format: 'sparse', explain: true, goal_id: goalId === '' ? undefined : goalId }),
    `tensor:${goalId}`,
  );
  useLiveRefresh(
    (e) => e.kind === 'task.state' || e.kind === 'task.assigned' || e.kind.startsWith('agent.'),
    tensor.reload,
    2000,
  );
  useLiveRefresh((e) => e.kind === 'goal.submitted' || e.kind === 'goal.state', goals.reload, 2000);
  const running = goals.data?.goals ?? [];
  const data = tensor.data;
  const view = data !== undefined && isSparse(data) ? tensorView(data) : undefined;

  return (
    <section>
      <h1>Tensor</h1>
      <div className="toolbar">
        <label>
          Goal
          <select name="goal" value={goalId} onChange={(e) => setQuery({ goal: e.target.value })}>
            <option value="">every goal</option>
            {goalId !== '' && !running.some((g) => g.id === goalId) ? (
              <option value={goalId}>{goalId}</option>
            ) : null}
            {running.map((g) => (
              <option key={g.id} value={g.id}>
                {g.goal.length > 60 ? `${g.goal.slice(0, 60)}…` : g.goal} ({g.id})
              </option>
            ))}
          </select>
        </label>
        {view !== undefined ? (
          <span className="muted" data-testid="tensor-shape">
            {view.rows.length} tasks × {view.cols.length} agents, {view.cells.length} non-zero cells
          </span>
        ) : null}
        {goalId !== '' ? <Link to={`/goals/${encodeURIComponent(goalId)}`}>open the goal</Link> : null}
      </div>
      {tensor.error !== undefined ? <ErrorBox error={tensor.error} retry={tensor.reload} /> : null}
      {view === undefined ? (
        tensor.error === undefined ? (
          <Loading what="the tensor" />
        ) : null
      ) : view.rows.length === 0 ? (
        <Empty>
          No open task{goalId === '' ? '' : ' in this goal'} to score. <Link to="/submit">Submit a goal</Link>
          : its ready tasks appear here as rows.
        </Empty>
      ) : view.cols.length === 0 ? (
        <Empty>
          No agent is registered: start one with <code>kos agent run</code> and its column appears.
        </Empty>
      ) : (
        <TensorHeatmap view={view} />
      )}
    </section>
  );
}

function TensorHeatmap({ view }: { view: TensorView }) {
  const values = view.cells.map((c) => c.value);
  const min = values.length === 0 ? 0 : Math.min(...values);
  const max = values.length === 0 ? 0 : Math.max(...values);
  return (
    <div className="card">
      <Heatmap
        rowLabels={view.rows.map((r) => r.name)}
        colLabels={view.cols.map((c) => c.name)}
        cells={view.cells}
        at={(row, col) => view.at.get(`${row}:${col}`)}
        tooltip={(c) => <CellTip cell={c} view={view} />}
        maxWidth={Math.min(1440, window.innerWidth - 80)}
        label={`Task tensor: ${view.rows.length} tasks by ${view.cols.length} agents`}
      />
      <div className="scale-legend">
        <span className="mono">{min.toFixed(3)}</span>
        <span
          className="scale"
          style={{
            background: `linear-gradient(to right, ${colorAt(0.15)}, ${colorAt(0.575)}, ${colorAt(1)})`,
          }}
        />
        <span className="mono">{max.toFixed(3)}</span>
        <span className="muted">value; blank: the agent cannot run the task</span>
      </div>
    </div>
  );
}

function CellTip({ cell, view }: { cell: TensorCell; view: TensorView }) {
  const task = view.rows[cell.row];
  const agent = view.cols[cell.col];
  const p = cell.parts;
  const num = (v: number | null) => (v === null ? '—' : v.toFixed(2));
  return (
    <dl className="fields">
      <dt>Task</dt>
      <dd data-testid="tip-task">{task?.name}</dd>
      <dt>Agent</dt>
      <dd data-testid="tip-agent">{agent?.name}</dd>
      <dt>Value</dt>
      <dd data-testid="tip-value" className="mono">
        {cell.value.toFixed(3)}
      </dd>
      <dt>Priority</dt>
      <dd>
        {cell.priority ?? '?'} (k = {cell.k})
      </dd>
      {p === null ? null : (
        <>
          <dt>Free slots</dt>
          <dd data-testid="tip-free" className="mono">
            {num(p.free_ratio)}
          </dd>
          <dt>Trust</dt>
          <dd data-testid="tip-trust" className="mono">
            {num(p.trust)}
          </dd>
          <dt>History</dt>
          <dd data-testid="tip-history" className="mono">
            {num(p.history)}
          </dd>
          {p.fallback_only === true ? (
            <>
              <dt>Fallback</dt>
              <dd>only (it failed this task last)</dd>
            </>
          ) : null}
          <dt>Why</dt>
          <dd data-testid="tip-explanation">{p.explanation}</dd>
        </>
      )}
    </dl>
  );
}
