import type { TaskReceiptResponse, WireTask } from '@kos/contracts';
import { StateBadge } from '../components/badge.tsx';
import { ErrorBox } from '../components/states.tsx';
import { receiptLabel, type AssignmentEntry, type TimelineEntry } from './timeline.ts';

/** The task page's sections, each from one part of GET /orchestration/tasks/:id. */

export function Json({ value }: { value: unknown }) {
  return <pre>{value === undefined ? '—' : JSON.stringify(value, null, 2)}</pre>;
}

export function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  if (entries.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {entries.map((e) => (
        <li key={e.seq} data-kind={e.kind} data-state={e.state ?? undefined}>
          <span className="mono when">{new Date(e.at).toLocaleTimeString()}</span>
          {e.state !== null ? <StateBadge state={e.state} /> : <span className="kind mono">{e.kind}</span>}
          <span>{e.summary}</span>
          <span className="muted">
            {e.epoch !== null ? `epoch ${e.epoch}` : ''}
            {e.attempt !== null ? ` · attempt ${e.attempt}` : ''} · by {e.actor}
          </span>
        </li>
      ))}
    </ol>
  );
}

export function Assignments({ entries }: { entries: readonly AssignmentEntry[] }) {
  if (entries.length === 0) return <p className="muted">Not assigned yet.</p>;
  return (
    <table data-testid="assignments">
      <thead>
        <tr>
          <th>Epoch</th>
          <th>Attempt</th>
          <th>Agent</th>
          <th>Score</th>
          <th>Why this agent</th>
          <th>Candidates</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((a) => (
          <tr key={a.seq}>
            <td>{a.epoch ?? '—'}</td>
            <td>{a.attempt ?? '—'}</td>
            <td className="mono">{a.agentId ?? '—'}</td>
            <td>{a.score?.toFixed(3) ?? '—'}</td>
            <td>
              {a.explanation}
              <div className="muted mono">
                {Object.entries(a.parts)
                  .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toFixed(3)) : String(v)}`)
                  .join(' · ')}
              </div>
            </td>
            <td>{a.candidates ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Receipt({ receipt, error }: { receipt: TaskReceiptResponse | undefined; error: unknown }) {
  if (error !== undefined) return <ErrorBox error={error} />;
  if (receipt === undefined) return <p className="muted">Checking the receipt…</p>;
  return (
    <p className={`receipt ${receipt.status}`} data-testid="receipt" data-status={receipt.status}>
      {receiptLabel(receipt)}
      {receipt.status === 'verified' && receipt.detail !== '' ? (
        <span className="muted"> ({receipt.detail})</span>
      ) : null}
    </p>
  );
}

export function TaskFields({ task }: { task: WireTask }) {
  const p = task.policy;
  return (
    <dl className="fields">
      <dt>Goal</dt>
      <dd className="mono">{task.goal_id}</dd>
      <dt>Skills</dt>
      <dd className="mono">{task.skills.join(', ')}</dd>
      <dt>Priority</dt>
      <dd>{task.priority}</dd>
      <dt>Attempts</dt>
      <dd data-testid="attempts">
        {task.attempts} of {task.max_attempts} · epoch {task.epoch}
      </dd>
      <dt>Agent</dt>
      <dd className="mono">{task.agent_id ?? '—'}</dd>
      <dt>Progress</dt>
      <dd>{task.progress === null ? '—' : `${task.progress}%`}</dd>
      {task.waiting_reason !== null ? (
        <>
          <dt>Waiting</dt>
          <dd data-testid="waiting">
            {task.waiting_reason.code}: {task.waiting_reason.message}
          </dd>
        </>
      ) : null}
      {task.lease_expires_at !== null ? (
        <>
          <dt>Lease until</dt>
          <dd>{new Date(task.lease_expires_at).toLocaleString()}</dd>
        </>
      ) : null}
      {task.deadline_at !== null ? (
        <>
          <dt>Deadline</dt>
          <dd>{new Date(task.deadline_at).toLocaleString()}</dd>
        </>
      ) : null}
      <dt>Depends on</dt>
      <dd className="mono">{task.depends_on.length === 0 ? 'nothing' : task.depends_on.join(', ')}</dd>
      <dt>Policy</dt>
      <dd className="muted">
        retry {p.retry.max_attempts}× {p.retry.delay_strategy} · approval{' '}
        {p.approval.before_run ? 'before run' : p.approval.on_failure ? 'on failure' : 'none'}
        {p.fallback !== null ? ` · fallback ${p.fallback.skills.join(', ')}` : ''}
        {p.concurrency !== null ? ` · concurrency ${p.concurrency.key}≤${p.concurrency.limit}` : ''}
      </dd>
      <dt>Updated</dt>
      <dd>{new Date(task.updated_at).toLocaleString()}</dd>
    </dl>
  );
}

export function Delegations({ task }: { task: WireTask }) {
  if (task.delegations.length === 0) return <p className="muted">No agent declined or delegated it.</p>;
  return (
    <ol className="delegations" data-testid="delegations">
      {task.delegations.map((d, i) => (
        <li key={i}>
          <span className="mono">{d.agent_id}</span> {d.action}
          {d.to !== null ? (
            <>
              {' '}
              to <span className="mono">{d.to}</span>
            </>
          ) : null}
          : {d.reason} <span className="muted">{new Date(d.at).toLocaleString()}</span>
        </li>
      ))}
    </ol>
  );
}
