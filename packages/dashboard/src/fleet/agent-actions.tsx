import { useState, type FormEvent } from 'react';
import type { WireAgent } from '@kos/contracts';
import { api, fleetApi } from '../api/client.ts';
import { may, useSession } from '../api/session.tsx';
import { ErrorBox } from '../components/states.tsx';
import { agentActions } from './agent-rows.ts';

/**
 * An operator's actions on an agent: release a quarantined one, quarantine with a reason, drain.
 * Buttons show only for a role that may act (session.may) and a state that allows it; the server
 * decides anyway. Quarantine and drain ask for a reason in one prompt above the table, so a row
 * scrolled out of the virtual table does not lose a half-typed reason.
 */

export type AgentAction = 'release' | 'quarantine' | 'drain';
type Target = Pick<WireAgent, 'id' | 'name'>;
type Outcome = { ok: true; text: string } | { ok: false; error: unknown } | null;

export interface AgentActions {
  asking: { action: 'quarantine' | 'drain'; agent: Target } | null;
  ask(action: 'quarantine' | 'drain', agent: Target): void;
  cancel(): void;
  run(action: AgentAction, agent: Target, reason?: string): Promise<void>;
  busy: boolean;
  outcome: Outcome;
}

const DONE: Record<AgentAction, string> = {
  release: 'released (it works again once it registers)',
  quarantine: 'quarantined (its leases revoked)',
  drain: 'draining (no new leases; its running tasks finish)',
};

export function useAgentActions(afterwards: () => void): AgentActions {
  const [asking, setAsking] = useState<AgentActions['asking']>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const run = async (action: AgentAction, agent: Target, reason?: string) => {
    setBusy(true);
    setOutcome(null);
    try {
      if (action === 'release') await api.releaseAgent(agent.id, reason);
      else if (action === 'quarantine') await fleetApi.quarantineAgent(agent.id, reason ?? '');
      else await fleetApi.drainAgent(agent.id, reason);
      setOutcome({ ok: true, text: `${agent.name} ${DONE[action]}.` });
      setAsking(null);
    } catch (error) {
      setOutcome({ ok: false, error });
    } finally {
      setBusy(false);
      afterwards();
    }
  };
  return {
    asking,
    ask: (action, agent) => {
      setOutcome(null);
      setAsking({ action, agent });
    },
    cancel: () => setAsking(null),
    run,
    busy,
    outcome,
  };
}

/** The buttons this role may use on this agent in its state; nothing for a viewer. */
export function AgentActionButtons({ agent, actions }: { agent: WireAgent; actions: AgentActions }) {
  const { session } = useSession();
  const allowed = agentActions(agent.state);
  const release = allowed.release && may(session, 'release');
  const quarantine = allowed.quarantine && may(session, 'quarantine');
  const drain = allowed.drain && may(session, 'drain');
  if (!release && !quarantine && !drain) return null;
  return (
    <span className="actions">
      {release ? (
        <button type="button" disabled={actions.busy} onClick={() => void actions.run('release', agent)}>
          Release
        </button>
      ) : null}
      {quarantine ? (
        <button type="button" disabled={actions.busy} onClick={() => actions.ask('quarantine', agent)}>
          Quarantine…
        </button>
      ) : null}
      {drain ? (
        <button type="button" disabled={actions.busy} onClick={() => actions.ask('drain', agent)}>
          Drain…
        </button>
      ) : null}
    </span>
  );
}

/** The reason prompt and the last action's outcome. */
export function AgentActionPanel({ actions }: { actions: AgentActions }) {
  const [reason, setReason] = useState('');
  const { asking, outcome } = actions;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (asking === null) return;
    void actions.run(asking.action, asking.agent, reason.trim() === '' ? undefined : reason.trim());
    setReason('');
  };
  const needsReason = asking?.action === 'quarantine';
  return (
    <>
      {asking !== null ? (
        <form
          className="card action-prompt"
          onSubmit={submit}
          aria-label={`${asking.action} ${asking.agent.name}`}
        >
          <label>
            {asking.action === 'quarantine'
              ? `Why quarantine ${asking.agent.name}? (its leases are revoked; it gets no work until released)`
              : `Why drain ${asking.agent.name}? (optional; it takes no new leases, its running tasks finish)`}
            <input
              name="reason"
              value={reason}
              maxLength={1000}
              autoFocus
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          <div className="row">
            <button
              type="submit"
              className={asking.action === 'quarantine' ? 'danger' : 'primary'}
              disabled={actions.busy || (needsReason && reason.trim() === '')}
            >
              {asking.action === 'quarantine' ? 'Quarantine' : 'Drain'}
            </button>
            <button type="button" onClick={actions.cancel}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {outcome?.ok === true ? (
        <div className="notice" role="status" data-testid="action-outcome">
          {outcome.text}
        </div>
      ) : null}
      {outcome?.ok === false ? <ErrorBox error={outcome.error} /> : null}
    </>
  );
}
