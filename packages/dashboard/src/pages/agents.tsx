import type { WireAgent, WireEvent } from '@kos/contracts';
import { api } from '../api/client.ts';
import { useApi, useLiveRefresh } from '../api/hooks.ts';
import { StateBadge } from '../components/badge.tsx';
import { Link } from '../components/link.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import {
  AgentActionButtons,
  AgentActionPanel,
  useAgentActions,
  type AgentActions,
} from '../fleet/agent-actions.tsx';
import { Breakers, Load, Trust } from '../fleet/agent-cells.tsx';
import { AGENT_STATES, countByState, filterAgents } from '../fleet/agent-rows.ts';
import { VirtualTable } from '../fleet/virtual-table.tsx';
import { setQuery, useLocation } from '../router.ts';

/** What changes an agent's row: its own events, and leases coming and going. */
export const changesFleet = (e: WireEvent): boolean =>
  e.kind.startsWith('agent.') ||
  e.kind === 'task.assigned' ||
  e.kind === 'task.state' ||
  e.kind === 'task.lease_revoked';

const ROW_HEIGHT = 40;

/** The fleet: every agent with its state, load, trust and breakers; filters in the URL. */
export function Agents() {
  const { query } = useLocation();
  const state = query.get('state') ?? '';
  const text = query.get('q') ?? '';
  const agents = useApi(() => api.agents(), 'agents');
  useLiveRefresh(changesFleet, agents.reload, 1000);
  const actions = useAgentActions(agents.reload);
  const all = agents.data?.agents;
  const shown = all === undefined ? [] : filterAgents(all, { state, text });

  return (
    <section>
      <h1>Agents</h1>
      <div className="toolbar">
        <label>
          State
          <select name="state" value={state} onChange={(e) => setQuery({ state: e.target.value })}>
            <option value="">any state{all ? ` (${all.length})` : ''}</option>
            {(all ? countByState(all) : AGENT_STATES.map((s) => [s, 0] as const)).map(([s, n]) => (
              <option key={s} value={s}>
                {s} ({n})
              </option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input
            name="q"
            type="search"
            placeholder="name, id, skill, reason"
            value={text}
            onChange={(e) => setQuery({ q: e.target.value })}
          />
        </label>
        {all !== undefined ? (
          <span className="muted" data-testid="agents-count">
            {shown.length} of {all.length} agents
          </span>
        ) : null}
      </div>
      <AgentActionPanel actions={actions} />
      {agents.error !== undefined ? <ErrorBox error={agents.error} retry={agents.reload} /> : null}
      {all === undefined ? (
        agents.error === undefined ? (
          <Loading what="the fleet" />
        ) : null
      ) : all.length === 0 ? (
        <Empty>
          No agent has registered yet. Start one with{' '}
          <code>kos agent run &lt;agent file&gt; --url &lt;this server&gt;</code> and it appears here.
        </Empty>
      ) : shown.length === 0 ? (
        <Empty>
          No agent matches these filters.{' '}
          <button type="button" className="link" onClick={() => setQuery({ state: undefined, q: undefined })}>
            Clear the filters
          </button>
        </Empty>
      ) : (
        <FleetTable agents={shown} actions={actions} />
      )}
    </section>
  );
}

function FleetTable({ agents, actions }: { agents: readonly WireAgent[]; actions: AgentActions }) {
  return (
    <VirtualTable
      rows={agents}
      rowHeight={ROW_HEIGHT}
      maxHeight={640}
      columns={8}
      label="Agents"
      testId="agents-table"
      header={
        <tr>
          <th>Agent</th>
          <th style={{ width: 130 }}>State</th>
          <th>Skills</th>
          <th style={{ width: 120 }}>Load</th>
          <th style={{ width: 70 }}>Trust</th>
          <th>Breakers</th>
          <th>Quarantine</th>
          <th style={{ width: 200 }}>Actions</th>
        </tr>
      }
      renderRow={(a) => (
        <tr
          key={a.id}
          className="trow"
          data-testid="agent-row"
          data-agent-id={a.id}
          data-state={a.state}
          style={{ height: ROW_HEIGHT }}
        >
          <td>
            <Link to={`/agents/${encodeURIComponent(a.id)}`} title={a.id}>
              {a.name}
            </Link>
          </td>
          <td>
            <StateBadge state={a.state} />
          </td>
          <td className="clip" title={a.skills.join(', ')}>
            {a.skills.join(', ')}
          </td>
          <td>
            <Load agent={a} />
          </td>
          <td>
            <Trust trust={a.trust} />
          </td>
          <td className="clip">
            <Breakers agent={a} />
          </td>
          <td className="clip" title={a.health.quarantine?.reason}>
            {a.health.quarantine ? a.health.quarantine.reason : <span className="muted">—</span>}
          </td>
          <td>
            <AgentActionButtons agent={a} actions={actions} />
          </td>
        </tr>
      )}
    />
  );
}
