import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { KosError } from '@kos/protocol';
import { buildApp } from './api/app.ts';
import { Authenticator } from './api/auth.ts';
import { SessionRegistry } from './api/klp/registry.ts';
import type { Config } from './config/types.ts';
import { Metrics, createLogger } from './observe/index.ts';
import { loadTemplates } from './planner/index.ts';
import type { Task } from './scheduler/task.ts';
import { ensureAdminToken } from './security/index.ts';
import type { Backend } from './store/backend.ts';
import { openSqliteBackend } from './store/sqlite/index.ts';
import { Store } from './store/store.ts';
import type { Lease } from './store/verbs/assign.ts';

/**
 * A running orchestrator: the store, the HTTP API, event-driven assignment rounds and the
 * periodic sweep (lost agents, expired leases, due retries).
 *
 * ```ts
 * const orch = await Orchestrator.start(resolveConfig({ env: process.env, flags: {} }));
 * console.log(orch.url, orch.adminTokenPath);
 * await orch.stop();
 * ```
 */
export class Orchestrator {
  readonly url: string;
  readonly adminTokenPath: string;
  readonly adminTokenCreated: boolean;

  private accepting = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private roundQueued = false;
  private roundRunning: Promise<void> | null = null;
  private roundAgain = false;

  private constructor(
    readonly config: Config,
    readonly store: Store,
    readonly log: Logger,
    readonly metrics: Metrics,
    private readonly app: FastifyInstance,
    private readonly sessions: SessionRegistry,
    admin: { path: string; created: boolean },
    url: string,
  ) {
    this.url = url;
    this.adminTokenPath = admin.path;
    this.adminTokenCreated = admin.created;
  }

  static async start(config: Config, options: { logger?: Logger } = {}): Promise<Orchestrator> {
    const log = options.logger ?? createLogger(config.log.level);
    const metrics = new Metrics();
    const backend = await openBackend(config, metrics);
    const store = new Store(backend, config);
    const templates = await loadTemplates(config.templatesDir);
    const admin = await ensureAdminToken(config.dataDir, backend, store.now());
    const recovered = await store.recoverAfterRestart();

    // The instance exists only after listen(); the API reaches it through this reference.
    const ref: { self?: Orchestrator } = {};
    const sessions = new SessionRegistry((n) => metrics.klpSessionsOpen(n));
    const app = await buildApp(
      {
        sessions,
        config,
        store,
        templates,
        metrics,
        auth: new Authenticator(store),
        startedAt: store.now(),
        changed: () => ref.self?.requestRound(),
        assignNow: (actor) => ref.self?.runRound(actor) ?? Promise.resolve([]),
        revoked: (tasks) => ref.self?.onRevoked(tasks),
        accepting: () => ref.self?.accepting ?? false,
      },
      log,
    );
    const address = await app.listen({ host: config.server.host, port: config.server.port });
    const self = new Orchestrator(
      config,
      store,
      log,
      metrics,
      app,
      sessions,
      admin,
      address.replace('[::1]', 'localhost'),
    );
    ref.self = self;
    self.accepting = true;
    self.sweepTimer = setInterval(() => self.sweep(), config.heartbeat.sweepIntervalMs);
    self.sweepTimer.unref();
    log.info(
      {
        url: self.url,
        store: backend.kind,
        data_dir: config.dataDir,
        admin_token_path: admin.path,
        admin_token_created: admin.created,
        recovered_agents: recovered.agents,
        recovered_leases: recovered.leases,
      },
      'listening',
    );
    self.requestRound();
    return self;
  }

  /** Stops taking requests, lets the current round finish, flushes the store and closes it. */
  async stop(): Promise<void> {
    this.accepting = false;
    clearInterval(this.sweepTimer);
    this.sessions.closeAll(1001, 'orchestrator stopping');
    await this.app.close();
    await this.roundRunning;
    await this.store.backend.close();
    this.log.info('stopped');
  }

  /**
   * Rounds are event-driven: any change that may enable an assignment asks for one; requests
   * that arrive while a round runs coalesce into one more round after it.
   */
  requestRound(): void {
    if (!this.config.scheduler.autoAssign || !this.accepting) return;
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

  async runRound(actor: string): Promise<Lease[]> {
    const started = performance.now();
    const leases = await this.store.assignRound(actor);
    this.metrics.roundFinished((performance.now() - started) / 1000, leases.length);
    for (let i = 0; i < leases.length; i++) this.metrics.taskTransition('leased');
    this.sessions.pushLeases(leases.map((l) => l.task));
    // A full round may have left more ready work behind the round limit.
    if (leases.length >= this.config.scheduler.roundLimit) this.roundAgain = true;
    return leases;
  }

  /** Holders of ended leases are told to stop; their late results would be refused anyway. */
  private onRevoked(tasks: readonly Task[]): void {
    this.sessions.rollback(tasks, 'lease ended');
    for (const t of tasks)
      this.log.info({ task_id: t.id, agent_id: t.agentId, epoch: t.epoch }, 'lease ended');
  }

  private sweep(): void {
    if (!this.accepting) return;
    this.store
      .sweep()
      .then((s) => {
        for (const t of s.revoked)
          this.metrics.leaseRevoked(
            t.leaseExpiresAt !== null && t.leaseExpiresAt < this.store.now() ? 'lease_expired' : 'agent_gone',
          );
        if (s.revoked.length > 0 || s.promoted > 0 || s.lostAgents > 0) {
          this.log.info(
            { lost_agents: s.lostAgents, revoked: s.revoked.length, promoted: s.promoted },
            'sweep',
          );
          this.onRevoked(s.revoked);
          this.requestRound();
        }
      })
      .catch((err: unknown) => this.log.error({ err }, 'sweep failed'));
  }
}

async function openBackend(config: Config, metrics: Metrics): Promise<Backend> {
  if (config.store === 'sqlite') {
    return openSqliteBackend({
      file: path.join(config.dataDir, 'kos.db'),
      synchronous: config.sqlite.synchronous,
      onCommit: (n) => metrics.storeCommit(n),
    });
  }
  throw new KosError(
    'KOS_ERR_CONFIG_INVALID',
    `store ${JSON.stringify(config.store)} is not available in this version: use "sqlite" (the PostgreSQL store is on the roadmap)`,
    { problems: [`store: unsupported value ${config.store}`] },
  );
}
