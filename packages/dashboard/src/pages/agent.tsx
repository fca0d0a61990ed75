import type { WireAgent, WireLease, WireTask } from '@kos/contracts';
import { api, ApiError } from '../api/client.ts';
import { useApi, useLiveRefresh } from '../api/hooks.ts';
import { StateBadge } from '../components/badge.tsx';
import { Link } from '../components/link.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { AgentActionButtons, AgentActionPanel, useAgentActions } from '../fleet/agent-actions.tsx';
import { Load, Trust } from '../fleet/agent-cells.tsx';
import { breakerViews, meanMs, successRatio } from '../fleet/agent-rows.ts';
import { formatMs, formatPct } from '../fleet/kpis.ts';

const when = (iso: string | null) => (iso === null ? '—' : new Date(iso).toLocaleString());

/** One agent: its fields, breakers, stats per skill, the leases it holds and its recent tasks. */
export function Agent({ id }: { id: string }) {
  const agent = useApi(() => api.agent(id), `agent:${id}`);
  const tasks = useApi(() => api.tasks({ agent_id: id, limit: 50 }), `agent-tasks:${id}`);
  const reload = () => {
    agent.reload();
    tasks.reload();
  };
  useLiveRefresh((e) => e.agent_id === id, reload, 1000);
  const actions = useAgentActions(reload);
  const a = agent.data?.agent;

  if (a === undefined) {
    if (agent.error instanceof ApiError && agent.error.code === 'KOS_ERR_AGENT_NOT_FOUND') {
      return (
        <section>
          <h1>Agent {id}</h1>
          <Empty>
            No agent has the id <code>{id}</code>. Pick one from the <Link to="/agents">fleet</Link>.
          </Empty>
        </section>
      );
    }
    return (
      <section>
        <h1>Agent {id}</h1>
        {agent.error !== undefined ? (
          <ErrorBox error={agent.error} retry={agent.reload} />
        ) : (
          <Loading what="the agent" />
        )}
      </section>
    );
  }
  return (
    <section>
      <div className="row">
        <h1>Agent {a.name}</h1>
        <StateBadge state={a.state} />
        <span className="spacer" />
        <AgentActionButtons agent={a} actions={actions} />
      </div>
      <AgentActionPanel actions={actions} />
      {agent.error !== undefined ? <ErrorBox error={agent.error} retry={agent.reload} /> : null}
      <AgentFields agent={a} />
      <h2>Breakers</h2>
      <BreakerTable agent={a} />
      <h2>Stats per skill</h2>
      <StatsTable agent={a} />
      <h2>Leases</h2>
      <LeaseTable leases={agent.data?.leases ?? []} />
      <h2>Recent tasks</h2>
      {tasks.error !== undefined ? <ErrorBox error={tasks.error} retry={tasks.reload} /> : null}
      {tasks.data === undefined ? (
        tasks.error === undefined ? (
          <Loading what="its tasks" />
        ) : null
      ) : (
        <TaskTable tasks={tasks.data.tasks} />
      )}
    </section>
  );
}

function AgentFields({ agent: a }: { agent: WireAgent }) {
  const q = a.health.quarantine;
  return (
    <dl className="fields card" data-testid="agent-fields">
      <dt>Id</dt>
      <dd className="mono">{a.id}</dd>
      <dt>Skills</dt>
      <dd>{a.skills.join(', ')}</dd>
      <dt>Load</dt>
      <dd>
        <Load agent={a} />
      </dd>
      <dt>Trust</dt>
      <dd>
        <Trust trust={a.trust} />
      </dd>
      <dt>Consecutive failures</dt>
      <dd>{a.health.consecutive_failures}</dd>
      <dt>Crashes</dt>
      <dd>{a.health.crashes}</dd>
      <dt>Last heartbeat</dt>
      <dd>{when(a.last_heartbeat_at)}</dd>
      <dt>Registered</dt>
      <dd>{when(a.registered_at)}</dd>
      <dt>Quarantine</dt>
      <dd data-testid="agent-quarantine">
        {q === null ? (
          <span className="muted">not quarantined</span>
        ) : (
          <>
            {q.reason}{' '}
            <span className="muted">
              (by {q.by}, {when(q.at)})
            </span>
          </>
        )}
      </dd>
    </dl>
  );
}

function BreakerTable({ agent }: { agent: WireAgent }) {
  const views = breakerViews(agent);
  if (views.length === 0) return <Empty>No breaker yet: one opens per skill after repeated failures.</Empty>;
  return (
    <table aria-label="Breakers">
      <thead>
        <tr>
          <th>Scope</th>
          <th>State</th>
          <th>Failures</th>
          <th>Opened</th>
          <th>Probes</th>
        </tr>
      </thead>
      <tbody>
        {views.map((b) => {
          const raw = agent.health.breakers[b.key === 'agent' ? '*' : b.key];
          return (
            <tr key={b.key}>
              <td>{b.key === 'agent' ? 'the agent as a whole' : b.key}</td>
              <td>
                <span className={`chip breaker ${b.state}`}>{b.state.replace('_', ' ')}</span>
              </td>
              <td>{b.failures}</td>
              <td>{when(raw?.opened_at ?? null)}</td>
              <td>{raw?.probes ?? 0}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function StatsTable({ agent }: { agent: WireAgent }) {
  const skills = Object.entries(agent.stats);
  if (skills.length === 0) return <Empty>It has not finished a task yet.</Empty>;
  return (
    <table aria-label="Stats per skill">
      <thead>
        <tr>
          <th>Skill</th>
          <th>Succeeded</th>
          <th>Failed</th>
          <th>Success rate</th>
          <th>Mean time (successes)</th>
        </tr>
      </thead>
      <tbody>
        {skills.map(([skill, s]) => (
          <tr key={skill}>
            <td>{skill}</td>
            <td>{s.succeeded}</td>
            <td>{s.failed}</td>
            <td>{formatPct(successRatio(s))}</td>
            <td>{formatMs(meanMs(s))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LeaseTable({ leases }: { leases: readonly WireLease[] }) {
  if (leases.length === 0) return <Empty>It holds no lease now.</Empty>;
  return (
    <table aria-label="Leases">
      <thead>
        <tr>
          <th>Task</th>
          <th>Goal</th>
          <th>Attempt</th>
          <th>Epoch</th>
          <th>Expires</th>
        </tr>
      </thead>
      <tbody>
        {leases.map((l) => (
          <tr key={l.subtask_uuid}>
            <td>
              <Link to={`/tasks/${encodeURIComponent(l.subtask_uuid)}`}>{l.name}</Link>
            </td>
            <td>
              <Link to={`/goals/${encodeURIComponent(l.goal_id)}`} className="mono">
                {l.goal_id}
              </Link>
            </td>
            <td>{l.attempt}</td>
            <td>{l.epoch}</td>
            <td>{when(l.lease_expires_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TaskTable({ tasks }: { tasks: readonly WireTask[] }) {
  if (tasks.length === 0) return <Empty>No task has been leased to it yet.</Empty>;
  return (
    <table aria-label="Recent tasks" data-testid="agent-tasks">
      <thead>
        <tr>
          <th>Task</th>
          <th>Goal</th>
          <th>Outcome</th>
          <th>Attempts</th>
          <th>Finished</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.id} data-task-id={t.id}>
            <td>
              <Link to={`/tasks/${encodeURIComponent(t.id)}`}>{t.name}</Link>
            </td>
            <td>
              <Link to={`/goals/${encodeURIComponent(t.goal_id)}`} className="mono">
                {t.goal_id}
              </Link>
            </td>
            <td>
              <StateBadge state={t.state} />
            </td>
            <td>
              {t.attempts}/{t.max_attempts}
            </td>
            <td>{when(t.finished_at)}</td>
            <td className="clip" title={t.error?.message}>
              {t.error ? `${t.error.code}: ${t.error.message}` : <span className="muted">—</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
