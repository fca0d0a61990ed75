import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/types.ts';
import type { Metrics } from '../observe/index.ts';
import { Reconciler } from '../observe/reconciler.ts';
import { isLeased, type Task } from '../scheduler/task.ts';
import type { CommitEffects, RevokedLease } from '../store/effects.ts';
import type { NewEvent } from '../store/records.ts';
import type { Lease } from '../store/verbs/assign.ts';
import type { Store } from '../store/store.ts';
import type { AgentLink, Rollback } from './agent-link.ts';
import type { Coordinator } from './coordinator.ts';

/** Ids per message: a NOTIFY payload holds at most ~8 kB. */
const CHUNK = 100;

/** A fan-out message: which replica sent it (it delivers its own locally) and what. */
interface Announcement<T> {
  from: string;
  items: T[];
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * The orchestrator's moving parts around the store: event-driven assignment rounds, the periodic
 * sweep, and what follows every commit (`committed`: the one subscriber of the store's effects):
 * leases pushed and revocations told to the agents, here and through whichever replica holds the
 * agent's link, rounds requested, transitions counted. Rounds and sweeps run on the coordinator's
 * leader only; any replica may ask for a round.
 */
export class Engine {
  private running = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | null = null;
  /** The periodic invariant check; its last report is in GET /orchestration/status. */
  readonly reconciler: Reconciler;
  private roundQueued = false;
  private roundRunning: Promise<void> | null = null;
  private roundAgain = false;
  private roundAsked = false;
  /** This replica, so it can skip its own announcements (it has delivered them already). */
  private readonly replica = randomUUID();

  constructor(
    private readonly config: Config,
    private readonly store: Store,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly agents: AgentLink,
    private readonly coordinator: Coordinator,
  ) {
    this.reconciler = new Reconciler(store, config);
    store.effects.subscribe((effects) => this.committed(effects));
    coordinator.subscribe('round', () => this.requestRound());
    coordinator.subscribe('leases', (p) => void this.deliverLeases(p));
    coordinator.subscribe('revoked', (p) => this.deliverRevoked(p));
    coordinator.onLeadership((leader) => leader && this.requestRound());
  }

  get accepting(): boolean {
    return this.running;
  }

  start(): void {
    this.running = true;
    // A batch whose verbs readied work or freed slots ends with a round on the leader (leased in
    // the same commit as the result that readied it); elsewhere the leader is asked for one
    // (`committed`, for a placeable commit).
    this.store.afterPlaceable({
      round: () => this.running && this.config.scheduler.autoAssign && this.coordinator.leader,
      failed: (err) => {
        this.log.error({ err }, 'assignment round failed');
        this.requestRound();
      },
    });
    this.sweepTimer = setInterval(() => this.sweep(), this.config.heartbeat.sweepIntervalMs);
    this.sweepTimer.unref();
    if (this.config.reconciler.intervalMs > 0) {
      this.reconcileTimer = setInterval(() => this.reconcile(), this.config.reconciler.intervalMs);
      this.reconcileTimer.unref();
    }
    this.changed();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.store.afterPlaceable(null);
    clearInterval(this.sweepTimer);
    clearInterval(this.reconcileTimer);
    await Promise.all([this.roundRunning, this.reconciling]);
  }

  /** Runs one round now on this replica (POST /assign); its leases go out as its commit's effects. */
  runRound(actor: string): Promise<Lease[]> {
    return this.store.assignRound(actor);
  }

  /**
   * What a commit did, told once after it committed (store/effects.ts). Synchronous: pushes and
   * announcements are sent without waiting.
   */
  private committed(e: CommitEffects): void {
    for (const t of e.transitions) if (t.entity === 'task') this.metrics.taskTransition(t.to);
    for (const event of e.events) {
      if (event.kind === 'task.lease_revoked') this.metrics.leaseRevoked(revocationReason(event));
    }
    if (e.round !== null) {
      this.metrics.roundFinished(e.round.seconds, e.leases.length);
      // A full round may have left more ready work behind the round limit.
      if (e.leases.length >= this.config.scheduler.roundLimit) this.requestRound();
    }
    if (e.leases.length > 0) this.leased(e.leases.map((l) => l.task));
    if (e.revoked.length > 0) this.revoked(e.revoked);
    // On the leader the commit's batch ended with a round already (start: afterPlaceable).
    if (e.placeable && !this.coordinator.leader) this.changed();
  }

  /** New leases are pushed to their agents, here and on the other replicas. */
  private leased(tasks: Task[]): void {
    this.agents.pushLeases(tasks);
    this.announce(
      'leases',
      tasks.map((t) => t.id),
    ).catch((err: unknown) => this.log.warn({ err }, 'could not announce leases'));
  }

  /**
   * Leases ended without their holder's report, and tasks cancelled while leased: their holders,
   * wherever connected, are told to stop (and, for a cancel, to acknowledge by the grace deadline).
   */
  private revoked(ended: readonly RevokedLease[]): void {
    const held: Rollback[] = ended.map((r) => ({
      id: r.task.id,
      agentId: r.agentId,
      epoch: r.epoch,
      ackBy: r.ackBy,
    }));
    this.agents.rollback(held);
    this.announce('revoked', held).catch((err: unknown) =>
      this.log.warn({ err }, 'could not announce revoked leases'),
    );
    for (const t of held)
      this.log.info({ task_id: t.id, agent_id: t.agentId, epoch: t.epoch }, 'lease ended');
  }

  /** Something changed that may let a round place work: run one here, or ask the leader. */
  private changed(): void {
    if (!this.running || !this.config.scheduler.autoAssign) return;
    if (this.coordinator.leader) {
      this.requestRound();
      return;
    }
    // Coalesce: one request in flight to the leader at a time.
    if (this.roundAsked) return;
    this.roundAsked = true;
    this.coordinator
      .publish('round', '')
      .catch((err: unknown) => this.log.warn({ err }, 'could not ask the leader for a round'))
      .finally(() => (this.roundAsked = false));
  }

  /**
   * Rounds are event-driven: requests that arrive while a round runs coalesce into one more
   * round after it. Only the leader runs them.
   */
  private requestRound(): void {
    if (!this.running || !this.config.scheduler.autoAssign || !this.coordinator.leader) return;
    if (this.roundRunning) {
      this.roundAgain = true;
      return;
    }
    if (this.roundQueued) return;
    this.roundQueued = true;
    setImmediate(() => {
      this.roundQueued = false;
      this.roundRunning = this.runRound('system')
        .then(() => undefined)
        .catch((err: unknown) => this.log.error({ err }, 'assignment round failed'))
        .finally(() => {
          this.roundRunning = null;
          if (this.roundAgain) {
            this.roundAgain = false;
            this.requestRound();
          }
        });
    });
  }

  /** Tells the other replicas (if any), in messages small enough for NOTIFY. */
  private async announce<T>(channel: 'leases' | 'revoked', items: T[]): Promise<void> {
    if (!this.coordinator.shared || items.length === 0) return;
    for (const part of chunks(items)) {
      const message: Announcement<T> = { from: this.replica, items: part };
      await this.coordinator.publish(channel, JSON.stringify(message));
    }
  }

  /** Pushes leases another replica announced to the agents connected here. */
  private async deliverLeases(payload: string): Promise<void> {
    const { from, items } = JSON.parse(payload) as Announcement<string>;
    if (from === this.replica || this.agents.size === 0) return;
    const tasks = await this.store.read((tx) => tx.getTasks(items));
    this.agents.pushLeases(tasks.filter((t) => isLeased(t.state)));
  }

  private deliverRevoked(payload: string): void {
    const { from, items } = JSON.parse(payload) as Announcement<Rollback>;
    if (from !== this.replica) this.agents.rollback(items);
  }

  /**
   * One reconciler run on the leader. It only reports (status, metrics, a warning); for ready tasks
   * a round could place it requests a round, the one repair that changes nothing by itself.
   */
  private reconcile(): void {
    if (!this.running || !this.coordinator.leader || this.reconciling !== null) return;
    this.reconciling = this.reconciler
      .run()
      .then((report) => {
        this.metrics.reconcilerRun(report.violations, report.unplaced > 0);
        if (report.unplaced > 0) this.requestRound();
        const found = Object.entries(report.violations).filter(([, v]) => v.count > 0);
        if (found.length > 0) {
          this.log.warn(
            {
              violations: Object.fromEntries(found.map(([kind, v]) => [kind, v.count])),
              examples: found.flatMap(([, v]) => v.examples.slice(0, 2)),
            },
            'reconciler found invariant violations',
          );
        }
      })
      .catch((err: unknown) => this.log.error({ err }, 'reconciler run failed'))
      .finally(() => (this.reconciling = null));
  }

  private sweep(): void {
    if (!this.running || !this.coordinator.leader) return;
    this.store
      .sweep()
      .then((s) => {
        // Its revocations are told, and its batch ended with a round, as for any commit.
        const revoked = s.lost.length + s.expired.length + s.timedOut.length + s.quarantined.length;
        if (revoked > 0 || s.promoted > 0 || s.lostAgents > 0) {
          this.log.info({ lost_agents: s.lostAgents, revoked, promoted: s.promoted }, 'sweep');
        }
      })
      .catch((err: unknown) => this.log.error({ err }, 'sweep failed'));
  }
}

/** The reason a `task.lease_revoked` event gives (every writer sets one). */
function revocationReason(event: NewEvent): string {
  const reason = event.data['reason'];
  return typeof reason === 'string' ? reason : 'unknown';
}
