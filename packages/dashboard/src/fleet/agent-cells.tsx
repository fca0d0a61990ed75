import type { WireAgent } from '@kos/contracts';
import { breakerViews, loadRatio } from './agent-rows.ts';

/** Cells the fleet table and the agent page share. */

export function Load({ agent }: { agent: Pick<WireAgent, 'active_leases' | 'max_parallel'> }) {
  const ratio = loadRatio(agent);
  return (
    <span className="load" title={`${agent.active_leases} of ${agent.max_parallel} slots in use`}>
      <span className="load-bar">
        <span style={{ width: `${Math.min(100, ratio * 100)}%` }} className={ratio >= 1 ? 'full' : ''} />
      </span>
      <span className="mono">
        {agent.active_leases}/{agent.max_parallel}
      </span>
    </span>
  );
}

export function Trust({ trust }: { trust: number }) {
  return (
    <span className={`mono trust ${trust < 0.5 ? 'low' : ''}`} title="trust, 0–1 (decays toward neutral)">
      {trust.toFixed(2)}
    </span>
  );
}

/** Breakers not closed as chips (open, half open), and how many are closed. */
export function Breakers({ agent }: { agent: Pick<WireAgent, 'health'> }) {
  const views = breakerViews(agent);
  const closed = views.filter((b) => b.state === 'closed').length;
  const notClosed = views.filter((b) => b.state !== 'closed');
  if (views.length === 0) return <span className="muted">none</span>;
  return (
    <span className="breakers">
      {notClosed.map((b) => (
        <span
          key={b.key}
          className={`chip breaker ${b.state}`}
          data-breaker={b.key}
          data-state={b.state}
          title={`${b.key}: ${b.state.replace('_', ' ')} after ${b.failures} failures`}
        >
          {b.key} {b.state === 'open' ? 'open' : 'half open'}
        </span>
      ))}
      {closed > 0 ? <span className="muted">{closed} closed</span> : null}
    </span>
  );
}
