import type { Logger } from 'pino';
import type { Core } from '../../app/index.ts';
import type { AgentLink, Rollback } from '../../cluster/agent-link.ts';
import { isLeased, type Task } from '../../scheduler/task.ts';
import type { EventRecord } from '../../store/records.ts';
import { A2A_AGENT_ADDED, A2A_AGENT_REMOVED } from '../../store/verbs/a2a-remotes.ts';
import { RemoteAgent } from './remote.ts';

export interface A2aBridgeDeps {
  core: Core;
  log: Logger;
  /**
   * Whether this replica drives the remotes: the coordinator's leader (one process is always the
   * leader). One replica only, so a lease is never sent twice; leases decided on another replica
   * reach the leader's link through the engine's announcements.
   */
  leading(): boolean;
}

/**
 * The engine's link to remote A2A agents (DESIGN: the A2A-out bridge is an AgentLink): the
 * remotes kept in the store (`a2a_remotes`), each driven by a RemoteAgent. It follows the store:
 * `reload()` at start, on leadership, and whenever an `a2a.agent_add` / `a2a.agent_remove` audit
 * event is committed on any replica (`observe`).
 */
export class A2aBridge implements AgentLink {
  private remotes = new Map<string, RemoteAgent>();
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private closed = false;

  constructor(private readonly deps: A2aBridgeDeps) {}

  /** Loads the remotes, resumes their leases, and starts the presence probes. */
  async start(): Promise<void> {
    await this.reload();
    const every = Math.max(50, Math.floor(this.deps.core.config.heartbeat.ttlMs / 3));
    this.probeTimer = setInterval(() => this.probe(), every);
    this.probeTimer.unref();
    this.probe();
  }

  get size(): number {
    return this.deps.leading() ? this.remotes.size : 0;
  }

  /** Each lease of a remote becomes a message to it (a task being cancelled is not sent). */
  pushLeases(tasks: readonly Task[]): void {
    if (!this.deps.leading()) return;
    for (const t of tasks) {
      if (t.agentId === null || t.state === 'cancelling') continue;
      this.remotes.get(t.agentId)?.push(t);
    }
  }

  /** Ended leases stop their streams and cancel the remote's task; a cancel is acknowledged. */
  rollback(items: readonly Rollback[]): void {
    const leading = this.deps.leading();
    for (const item of items) {
      if (item.agentId === null) continue;
      const reason = item.ackBy === null ? 'lease ended' : 'task cancelled';
      this.remotes.get(item.agentId)?.stop(item.id, item.epoch, reason, leading && item.ackBy !== null);
    }
  }

  /** A committed event: a remote added or removed anywhere makes every replica reload. */
  observe(event: EventRecord): void {
    if (event.kind !== 'audit') return;
    const action = event.data['action'];
    if (action === A2A_AGENT_ADDED || action === A2A_AGENT_REMOVED) {
      this.reload().catch((err: unknown) => this.deps.log.error({ err }, 'A2A remotes not reloaded'));
    }
  }

  /**
   * Leadership won: this replica now drives the remotes. Their presence first (nobody probed them
   * while there was no leader: the sweep would find them silent), then the leases they hold.
   */
  leadership(leader: boolean): void {
    if (!leader) return;
    this.probe();
    void this.resume(this.remotes.values());
  }

  /** Reloads the remotes from the store; reloads asked for meanwhile coalesce into one more. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = this.load().finally(() => {
      this.reloading = null;
      if (this.reloadAgain && !this.closed) {
        this.reloadAgain = false;
        void this.reload();
      }
    });
    return this.reloading;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.probeTimer);
    for (const r of this.remotes.values()) r.close();
    this.remotes.clear();
  }

  private async load(): Promise<void> {
    const { core, log } = this.deps;
    const records = await core.store.read((tx) => tx.listA2aRemotes());
    if (this.closed) return;
    const next = new Map<string, RemoteAgent>();
    const added: RemoteAgent[] = [];
    for (const record of records) {
      const known = this.remotes.get(record.agentId);
      if (known && known.record.updatedAt === record.updatedAt) {
        next.set(record.agentId, known);
        continue;
      }
      known?.close();
      try {
        const remote = new RemoteAgent(record, core, log, {
          renewEveryMs: 5_000,
          probeTimeoutMs: Math.max(100, Math.floor(core.config.heartbeat.ttlMs / 3)),
        });
        next.set(record.agentId, remote);
        added.push(remote);
      } catch (err) {
        log.error({ err, card_url: record.cardUrl }, 'stored Agent Card is not usable; remote skipped');
      }
    }
    for (const [id, r] of this.remotes) if (!next.has(id)) r.close();
    this.remotes = next;
    await this.resume(added);
  }

  /**
   * Re-sends the leases a remote holds (after a restart or a change of leader): same lease, same
   * message id, so the remote can tell it is a retry. A lease whose stream is live is left alone.
   */
  private async resume(remotes: Iterable<RemoteAgent>): Promise<void> {
    if (!this.deps.leading()) return;
    for (const remote of remotes) {
      const held = await this.deps.core.store.read((tx) =>
        tx.listTasks({ agentId: remote.agentId, states: ['leased', 'running'] }, { limit: 1000 }),
      );
      for (const t of held) if (isLeased(t.state)) remote.push(t);
    }
  }

  private probe(): void {
    if (this.probing || this.closed || !this.deps.leading()) return;
    this.probing = true;
    void Promise.all(
      [...this.remotes.values()].map((r) =>
        r
          .probe()
          .catch((err: unknown) =>
            this.deps.log.debug({ err, agent_id: r.agentId }, 'A2A presence not recorded'),
          ),
      ),
    ).finally(() => (this.probing = false));
  }
}
