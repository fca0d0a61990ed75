import type { TaskState, WireTask } from '@kos/contracts';
import { api, goalApi } from '../api/client.ts';
import { useApi, useLiveRefresh } from '../api/hooks.ts';
import { may, useSession, type Session } from '../api/session.tsx';
import { StateBadge } from '../components/badge.tsx';
import { Link } from '../components/link.tsx';
import { ErrorBox, Loading } from '../components/states.tsx';
import { ConfirmAction } from '../goals/confirm-action.tsx';
import { Assignments, Delegations, Json, Receipt, TaskFields, Timeline } from '../goals/task-sections.tsx';
import { assignmentsOf, timelineOf } from '../goals/timeline.ts';

const FINISHED: readonly TaskState[] = ['succeeded', 'dead', 'cancelled', 'cancelling'];

/** Task: its state, history (transitions and leases by epoch), assignments, result and receipt. */
export function Task({ id }: { id: string }) {
  const { session } = useSession();
  const task = useApi(() => api.task(id), id);
  const receipt = useApi(() => goalApi.receipt(id), id);
  useLiveRefresh(
    (e) => e.task_id === id,
    () => {
      task.reload();
      receipt.reload();
    },
    300,
  );
  // A pending receipt is covered by the reporting agent's next signed frame (a klp.receipts event).
  const reporter = receipt.data?.status === 'pending' ? receipt.data.agent_id : null;
  useLiveRefresh((e) => e.kind === 'klp.receipts' && e.agent_id === reporter, receipt.reload, 300);
  if (task.data === undefined) {
    return task.error !== undefined ? (
      <section>
        <h1>Task</h1>
        <ErrorBox error={task.error} retry={task.reload} />
        <p>
          Check the id, or open the task from its goal in the <Link to="/goals">goal list</Link>.
        </p>
      </section>
    ) : (
      <Loading what={`task ${id}`} />
    );
  }
  const { task: t, history } = task.data;
  return (
    <section>
      <p className="crumbs">
        <Link to="/goals">Goals</Link> / <Link to={`/goals/${encodeURIComponent(t.goal_id)}`}>goal</Link> /{' '}
        <span className="mono">{t.id}</span>
      </p>
      <div className="row page-head">
        <h1 data-testid="task-title">{t.name}</h1>
        <span data-testid="task-state">
          <StateBadge state={t.state} />
        </span>
        <span className="spacer" />
        <Actions task={t} session={session} onDone={task.reload} />
      </div>
      {task.error !== undefined ? <ErrorBox error={task.error} retry={task.reload} /> : null}
      <div className="task-grid">
        <div className="card">
          <h2>Details</h2>
          <TaskFields task={t} />
        </div>
        <div className="card">
          <h2>Result</h2>
          <Receipt receipt={receipt.data} error={receipt.error} />
          {t.error !== null ? (
            <div className="task-error" data-testid="task-error">
              <strong className="mono">{t.error.code}</strong>: {t.error.message}
              {t.error.retryable ? ' (retryable)' : ''}
            </div>
          ) : null}
          <Json value={t.result} />
          <h3>Input</h3>
          <Json value={t.input} />
        </div>
      </div>
      <h2>Assignments</h2>
      <Assignments entries={assignmentsOf(history)} />
      <h2>Delegations</h2>
      <Delegations task={t} />
      <h2>History</h2>
      <Timeline entries={timelineOf(history)} />
    </section>
  );
}

/** The actions the task's state allows and the role may take; the server decides anyway. */
function Actions({ task, session, onDone }: { task: WireTask; session: Session | null; onDone: () => void }) {
  const reason = 'from the dashboard';
  return (
    <div className="row actions" data-testid="task-actions">
      {task.state === 'awaiting_approval' && may(session, 'approve') ? (
        <>
          <ConfirmAction
            label="Approve"
            run={() => api.taskAction(task.id, 'approve', reason)}
            onDone={onDone}
          />
          <ConfirmAction
            label="Deny"
            danger
            question="Deny this task? It becomes dead and its goal's policy applies."
            run={() => api.taskAction(task.id, 'deny', reason)}
            onDone={onDone}
          />
        </>
      ) : null}
      {task.state === 'dead' && may(session, 'retry') ? (
        <ConfirmAction label="Retry" run={() => api.taskAction(task.id, 'retry', reason)} onDone={onDone} />
      ) : null}
      {!FINISHED.includes(task.state) && may(session, 'cancel') ? (
        <ConfirmAction
          label="Cancel task"
          danger
          question="Cancel this task? The tasks that depend on it are skipped."
          confirmLabel="Yes, cancel the task"
          run={() => api.taskAction(task.id, 'cancel', reason)}
          onDone={onDone}
        />
      ) : null}
    </div>
  );
}
