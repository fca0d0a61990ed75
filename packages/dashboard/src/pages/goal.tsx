import { api } from '../api/client.ts';
import { useApi, useLiveRefresh } from '../api/hooks.ts';
import { may, useSession } from '../api/session.tsx';
import { StateBadge } from '../components/badge.tsx';
import { Link } from '../components/link.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { DagView } from '../dag/dag-view.tsx';
import { ConfirmAction } from '../goals/confirm-action.tsx';
import { TaskTable } from '../goals/task-table.tsx';
import { OPEN_GOAL_STATES } from '../goals/filters.ts';

/**
 * Goal: its header, its DAG drawn live and every task in a table. Any event of the goal on the
 * shared stream reloads it, at most every 300 ms (a second for 10,000 tasks: the answer is large).
 */
export function Goal({ id }: { id: string }) {
  const { session } = useSession();
  const goal = useApi(() => api.goal(id), id);
  const taskCount = goal.data?.tasks.length ?? 0;
  useLiveRefresh((e) => e.goal_id === id, goal.reload, Math.max(300, taskCount / 10));
  if (goal.data === undefined) {
    return goal.error !== undefined ? (
      <section>
        <h1>Goal</h1>
        <ErrorBox error={goal.error} retry={goal.reload} />
        <p>
          Check the id, or find the goal in the <Link to="/goals">goal list</Link>.
        </p>
      </section>
    ) : (
      <Loading what={`goal ${id}`} />
    );
  }
  const { goal: g, tasks } = goal.data;
  return (
    <section>
      <p className="crumbs">
        <Link to="/goals">Goals</Link> / <span className="mono">{g.id}</span>
      </p>
      <div className="row page-head">
        <h1 data-testid="goal-title">{g.goal}</h1>
        <span data-testid="goal-state">
          <StateBadge state={g.state} />
        </span>
        <span className="spacer" />
        {may(session, 'cancel') && OPEN_GOAL_STATES.includes(g.state) ? (
          <ConfirmAction
            label="Cancel goal"
            danger
            question={`Cancel this goal and its ${g.task_count - g.succeeded_count} unfinished tasks?`}
            confirmLabel="Yes, cancel the goal"
            run={() => api.cancelGoal(id, 'cancelled from the dashboard')}
            onDone={goal.reload}
          />
        ) : null}
      </div>
      {goal.error !== undefined ? <ErrorBox error={goal.error} retry={goal.reload} /> : null}
      <dl className="fields goal-fields">
        <dt>Template</dt>
        <dd className="mono">{g.template}</dd>
        <dt>Priority</dt>
        <dd>{g.priority}</dd>
        {g.context !== '' ? (
          <>
            <dt>Context</dt>
            <dd>{g.context}</dd>
          </>
        ) : null}
        <dt>Tasks</dt>
        <dd data-testid="goal-counts">
          {g.succeeded_count} of {g.task_count} succeeded · {g.dead_count} dead · {g.skipped_count} skipped
        </dd>
        <dt>Policy</dt>
        <dd>
          on task death: {g.policy.on_task_death} · at most {g.policy.max_parallel_tasks ?? '∞'} in parallel ·
          weight {g.policy.weight}
        </dd>
        <dt>Created</dt>
        <dd>
          {new Date(g.created_at).toLocaleString()}
          {g.finished_at !== null ? ` · finished ${new Date(g.finished_at).toLocaleString()}` : ''}
        </dd>
      </dl>
      <h2>DAG</h2>
      {tasks.length === 0 ? <Empty>This goal has no tasks yet.</Empty> : <DagView tasks={tasks} />}
      <h2>Tasks</h2>
      <TaskTable tasks={tasks} />
    </section>
  );
}
