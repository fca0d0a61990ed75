import type { KpisResponse, StatusResponse } from '@kos/contracts';
import { api, fleetApi } from '../api/client.ts';
import { useApi, useLiveRefresh } from '../api/hooks.ts';
import { Link } from '../components/link.tsx';
import { ErrorBox, Loading } from '../components/states.tsx';
import { KpiCard, StateCounts } from '../fleet/kpi-card.tsx';
import {
  PRIORITY_TIERS,
  WINDOWS,
  countsInOrder,
  formatMs,
  formatPct,
  formatRate,
  formatUptime,
  kpiSeries,
} from '../fleet/kpis.ts';
import { setQuery, useLocation } from '../router.ts';
import { AGENT_STATES, GOAL_STATES, TASK_STATES } from '../api/states.ts';
import { stateColor } from '../state-colors.ts';

const TIER_COLORS = { critical: '#dc2626', high: '#f59e0b', medium: '#3b82f6', low: '#94a3b8' } as const;

/**
 * The seed's KPIs over a window (success rate, response time, throughput, reliability), the ready
 * queue per priority tier, and goals, tasks and agents by state; refreshed by the live stream at
 * most every two seconds.
 */
export function Overview() {
  const { query } = useLocation();
  const win = WINDOWS.find((w) => w.label === query.get('window')) ?? WINDOWS[1]!;
  const kpis = useApi(
    () => fleetApi.kpis({ window_ms: win.windowMs, bucket_ms: win.bucketMs }),
    `kpis:${win.label}`,
  );
  const status = useApi(() => api.status(), 'status');
  useLiveRefresh(
    () => true,
    () => {
      kpis.reload();
      status.reload();
    },
    2000,
  );
  return (
    <section>
      <div className="row">
        <h1>Overview</h1>
        <span className="spacer" />
        <label className="inline">
          Window
          <select name="window" value={win.label} onChange={(e) => setQuery({ window: e.target.value })}>
            {WINDOWS.map((w) => (
              <option key={w.label} value={w.label}>
                last {w.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <h2>KPIs</h2>
      {kpis.error !== undefined ? <ErrorBox error={kpis.error} retry={kpis.reload} /> : null}
      {kpis.data !== undefined ? (
        <Kpis k={kpis.data} />
      ) : kpis.error === undefined ? (
        <Loading what="the KPIs" />
      ) : null}
      {status.error !== undefined ? <ErrorBox error={status.error} retry={status.reload} /> : null}
      {status.data !== undefined ? (
        <Now s={status.data} />
      ) : status.error === undefined ? (
        <Loading what="the status" />
      ) : null}
    </section>
  );
}

function Kpis({ k }: { k: KpisResponse }) {
  const s = kpiSeries(k);
  const t = k.totals;
  const r = k.reliability;
  const nothing = k.buckets.every((b) => b.succeeded + b.failed === 0);
  return (
    <>
      {nothing ? (
        <p className="notice" data-testid="kpis-empty">
          No task finished in this window yet: <Link to="/submit">submit a goal</Link> and keep an agent
          running (<code>kos agent run</code>) to see these move.
        </p>
      ) : null}
      <div className="grid kpis">
        <KpiCard
          id="success-rate"
          title="Success rate"
          value={formatPct(t.success_rate)}
          detail="successes over finished attempts"
          x={s.x}
          lines={[{ label: 'success %', values: s.successPct, color: '#16a34a' }]}
        />
        <KpiCard
          id="response"
          title="Response time"
          value={
            <>
              <span data-testid="kpi-p50">{formatMs(t.response_p50_ms)}</span>
              <span className="muted small"> p50 · </span>
              <span data-testid="kpi-p95">{formatMs(t.response_p95_ms)}</span>
              <span className="muted small"> p95</span>
            </>
          }
          detail="lease to success"
          x={s.x}
          lines={[
            { label: 'p50', values: s.p50, color: '#2563eb' },
            { label: 'p95', values: s.p95, color: '#a855f7' },
          ]}
        />
        <KpiCard
          id="throughput"
          title="Throughput"
          value={formatRate(t.throughput_per_s)}
          detail="tasks succeeded, mean over the window"
          x={s.x}
          lines={[{ label: 'per second', values: s.throughput, color: '#0891b2' }]}
        />
        <KpiCard
          id="reliability"
          title="Reliability"
          value={<span title="this replica's uptime">up {formatUptime(r.uptime_s)}</span>}
          detail={
            <span data-testid="kpi-reliability-detail">
              {r.agents_lost} agents lost · {r.agents_quarantined} quarantined · {r.retries} retries
            </span>
          }
          x={s.x}
          lines={[
            { label: 'retries', values: s.retries, color: '#f59e0b' },
            { label: 'failed attempts', values: s.failed, color: '#dc2626' },
          ]}
        />
      </div>
    </>
  );
}

function Now({ s }: { s: StatusResponse }) {
  const q = s.ready_by_priority;
  const deepest = Math.max(1, ...PRIORITY_TIERS.map((t) => q[t]));
  return (
    <>
      <h2>Ready queue</h2>
      <div className="grid queue" data-testid="queue-depth">
        {PRIORITY_TIERS.map((tier) => (
          <div key={tier} className="card kpi" data-testid={`queue-${tier}`}>
            <div className="label">{tier}</div>
            <div className="value">{q[tier]}</div>
            <div className="bar">
              <span style={{ width: `${(100 * q[tier]) / deepest}%`, background: TIER_COLORS[tier] }} />
            </div>
          </div>
        ))}
      </div>
      <p className="muted">
        {s.ready_queue_depth} ready in all; {s.waiting.total} waiting (ready, pending, approval or backoff).
      </p>
      <h2>Now</h2>
      <div className="grid counts">
        <StateCounts
          id="goals"
          title="Goals"
          total={s.goals.total}
          counts={countsInOrder(s.goals.by_state, GOAL_STATES)}
          color={stateColor}
        />
        <StateCounts
          id="tasks"
          title="Tasks"
          total={s.tasks.total}
          counts={countsInOrder(s.tasks.by_state, TASK_STATES)}
          color={stateColor}
        />
        <StateCounts
          id="agents"
          title="Agents"
          total={s.agents.total}
          counts={countsInOrder(s.agents.by_state, AGENT_STATES)}
          color={stateColor}
        />
      </div>
    </>
  );
}
