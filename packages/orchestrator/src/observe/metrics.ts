import type { ErrorCode } from '@kos/protocol';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AGENT_TRANSITIONS, type AgentState } from '../registry/agent.ts';
import { VIOLATION_KINDS, type ViolationKind } from './invariants.ts';
import { TASK_TRANSITIONS, type TaskState } from '../scheduler/task.ts';

const TASK_STATES = Object.keys(TASK_TRANSITIONS) as TaskState[];
const AGENT_STATES = Object.keys(AGENT_TRANSITIONS) as AgentState[];

/**
 * The orchestrator's Prometheus metrics, on a registry of its own (not prom-client's global one)
 * so several orchestrators in one process — tests, benchmarks — keep separate counts.
 * Methods are named for what happened; `render()` is the body of GET /metrics.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly contentType: string = this.registry.contentType;

  private readonly goalsSubmitted = this.counter('kos_goals_submitted_total', 'Goals accepted.', []);
  private readonly taskTransitions = this.counter(
    'kos_tasks_transitions_total',
    'Task state transitions, by the state entered.',
    ['to'],
  );
  private readonly assignments = this.counter('kos_assignments_total', 'Tasks leased to agents.', []);
  private readonly leaseRevocations = this.counter(
    'kos_lease_revocations_total',
    'Leases ended before their task finished, by the reason of their task.lease_revoked event (agent_lost, lease_expired, timeout.start_to_close, agent_quarantined, agent_unregistered; returned and handed_back: given back by the holder).',
    ['reason'],
  );
  private readonly httpRequests = this.counter('kos_http_requests_total', 'HTTP requests answered.', [
    'route',
    'method',
    'status',
  ]);
  private readonly rejectedRequests = this.counter(
    'kos_rejected_requests_total',
    'Requests and frames rejected with a typed error, by error code.',
    ['code'],
  );
  private readonly securityAlerts = this.counter(
    'kos_security_alerts_total',
    'KLP frames refused as security alerts (bad signature, replay, forged identity…), by code.',
    ['code'],
  );
  private readonly limitRefusals = this.counter(
    'kos_limit_refusals_total',
    'Requests and sockets refused or cut off by a limit (docs/limits.md), by kind: token_rate, token_concurrency, ip_rate, ip_concurrency, overloaded, request_timeout, bad_request, klp_sessions_full, klp_unauthenticated_evicted, klp_handshake_timeout; and klp_backpressure, a session whose socket stopped reading (slowed, not refused).',
    ['kind'],
  );
  private readonly klpFrames = this.counter('kos_klp_frames_total', 'KLP frames received, by type.', [
    'type',
  ]);
  private readonly klpSessions = this.gauge('kos_klp_sessions', 'Agents connected over KLP.', []);
  private readonly tasks = this.gauge('kos_tasks', 'Tasks in each state.', ['state']);
  private readonly agents = this.gauge('kos_agents', 'Agents in each state.', ['state']);
  private readonly readyQueueDepth = this.gauge(
    'kos_ready_queue_depth',
    'Ready tasks waiting for an agent.',
    [],
  );
  private readonly breakers = this.gauge(
    'kos_agent_breakers',
    'Circuit breakers (agent, or agent × skill) not closed, by state: open or half_open.',
    ['state'],
  );
  private readonly reconcilerRuns = this.counter(
    'kos_reconciler_runs_total',
    'Runs of the reconciler (the periodic invariant check).',
    [],
  );
  private readonly reconcilerViolations = this.gauge(
    'kos_reconciler_violations',
    'Invariant violations the last reconciler run found, by kind.',
    ['kind'],
  );
  private readonly reconcilerRounds = this.counter(
    'kos_reconciler_rounds_requested_total',
    'Rounds the reconciler requested for ready tasks a free agent could take (self-heal).',
    [],
  );
  private readonly httpDuration = new Histogram({
    name: 'kos_http_request_duration_seconds',
    help: 'HTTP request handling time, by route.',
    labelNames: ['route'],
    registers: [this.registry],
  });
  private readonly roundDuration = new Histogram({
    name: 'kos_assignment_round_duration_seconds',
    help: 'Time of one assignment round, scoring through commit.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly batchesRedone = new Counter({
    name: 'kos_store_batches_redone_total',
    help: 'Group-commit batches rolled back and redone because a transaction lost a deadlock or serialization conflict (PostgreSQL): store contention.',
    registers: [this.registry],
  });
  private readonly commitBatchSize = new Histogram({
    name: 'kos_store_commit_batch_size',
    help: 'Transactions made durable by one group commit.',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  goalSubmitted(): void {
    this.goalsSubmitted.inc();
  }

  taskTransition(to: TaskState): void {
    this.taskTransitions.inc({ to });
  }

  /** One assignment round finished after `seconds`, leasing `assigned` tasks. */
  roundFinished(seconds: number, assigned: number): void {
    this.roundDuration.observe(seconds);
    if (assigned > 0) this.assignments.inc(assigned);
  }

  /** A lease ended early, by the `reason` of its `task.lease_revoked` event (e.g. `agent_lost`). */
  leaseRevoked(reason: string, count = 1): void {
    if (count > 0) this.leaseRevocations.inc({ reason }, count);
  }

  /** `route` is the route pattern (`/orchestration/goals/:id`), never the raw URL, to bound label values. */
  httpRequest(route: string, method: string, status: number, seconds: number): void {
    this.httpRequests.inc({ route, method, status: String(status) });
    this.httpDuration.observe({ route }, seconds);
  }

  rejected(code: ErrorCode): void {
    this.rejectedRequests.inc({ code });
  }

  /** A limit refused a request or dropped a socket (see the help of kos_limit_refusals_total). */
  limitRefused(kind: string): void {
    this.limitRefusals.inc({ kind });
  }

  securityAlert(code: string): void {
    this.securityAlerts.inc({ code });
  }

  klpFrame(type: string): void {
    this.klpFrames.inc({ type });
  }

  klpSessionsOpen(n: number): void {
    this.klpSessions.set(n);
  }

  /** Breakers not closed across the fleet, as status computed them. */
  setBreakerGauges(counts: { open: number; half_open: number }): void {
    this.breakers.set({ state: 'open' }, counts.open);
    this.breakers.set({ state: 'half_open' }, counts.half_open);
  }

  /** A reconciler run found these violations by kind; `roundRequested`: it asked for a round. */
  reconcilerRun(
    violations: Readonly<Record<ViolationKind, { count: number }>>,
    roundRequested: boolean,
  ): void {
    this.reconcilerRuns.inc();
    for (const kind of VIOLATION_KINDS) this.reconcilerViolations.set({ kind }, violations[kind].count);
    if (roundRequested) this.reconcilerRounds.inc();
  }

  storeCommit(batchSize: number): void {
    this.commitBatchSize.observe(batchSize);
  }

  storeBatchRedone(): void {
    this.batchesRedone.inc();
  }

  /** Sets the state gauges from store counts; a state missing from a given count is set to 0. */
  setGauges(counts: {
    tasks?: Partial<Record<TaskState, number>>;
    agents?: Partial<Record<AgentState, number>>;
    readyQueueDepth?: number;
  }): void {
    const { tasks, agents, readyQueueDepth } = counts;
    if (tasks !== undefined) for (const state of TASK_STATES) this.tasks.set({ state }, tasks[state] ?? 0);
    if (agents !== undefined)
      for (const state of AGENT_STATES) this.agents.set({ state }, agents[state] ?? 0);
    if (readyQueueDepth !== undefined) this.readyQueueDepth.set(readyQueueDepth);
  }

  /** The Prometheus text exposition of every metric; serve it with `contentType`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
