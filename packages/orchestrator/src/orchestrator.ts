import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { KosError } from '@kos/protocol';
import { buildApp } from './api/app.ts';
import { loadTls } from './api/tls.ts';
import { SQLITE_FILE } from './store/sqlite/backup.ts';
import { Authenticator } from './api/auth.ts';
import { SessionRegistry } from './api/klp/registry.ts';
import type { Core } from './app/index.ts';
import { AgentLinks } from './cluster/agent-links.ts';
import { LocalCoordinator, type Coordinator } from './cluster/coordinator.ts';
import { A2aBridge } from './links/a2a/bridge.ts';
import { registerConfiguredA2aAgents } from './links/a2a/configured.ts';
import { Engine } from './cluster/engine.ts';
import { EventFeed } from './cluster/event-feed.ts';
import { PostgresCoordinator } from './cluster/postgres-coordinator.ts';
import type { Config } from './config/types.ts';
import { Metrics, createLogger } from './observe/index.ts';
import { loadTemplates } from './planner/index.ts';
import { ensureAdminToken } from './security/index.ts';
import { loadSessionKey } from './security/session-cookie.ts';
import type { Backend } from './store/backend.ts';
import { openPostgresBackend } from './store/postgres/index.ts';
import { openSqliteBackend } from './store/sqlite/index.ts';
import { Store } from './store/store.ts';
import type { Lease } from './store/verbs/assign.ts';

/**
 * A running orchestrator: the store, the HTTP API and KLP gateway, the engine (event-driven
 * assignment rounds, the periodic sweep, what follows each commit) and the live event feed. Several replicas may share one PostgreSQL store; the
 * coordinator elects the one that runs rounds and sweeps and carries wake-ups between them.
 *
 * ```ts
 * const orch = await Orchestrator.start(resolveConfig({ env: process.env, flags: {} }));
 * console.log(orch.url, orch.adminTokenPath);
 * await orch.stop();
 * ```
 */
export class Orchestrator {
  private constructor(
    readonly config: Config,
    readonly store: Store,
    readonly log: Logger,
    readonly metrics: Metrics,
    private readonly app: FastifyInstance,
    private readonly engine: Engine,
    /** Every event committed, by this replica or another on the same store, in seq order. */
    readonly events: EventFeed,
    private readonly sessions: SessionRegistry,
    private readonly a2a: A2aBridge,
    private readonly coordinator: Coordinator,
    private readonly admin: { path: string; created: boolean },
    readonly url: string,
  ) {}

  get adminTokenPath(): string {
    return this.admin.path;
  }

  get adminTokenCreated(): boolean {
    return this.admin.created;
  }

  static async start(config: Config, options: { logger?: Logger } = {}): Promise<Orchestrator> {
    const log = options.logger ?? createLogger(config.log);
    if (config.notYetEnforced.length > 0) {
      log.warn({ keys: config.notYetEnforced }, 'configuration keys accepted but not yet enforced');
    }
    const tls = await loadTls(config.server.tls);
    const metrics = new Metrics();
    const backend = await openBackend(config, metrics);
    const store = new Store(backend, config, {
      onListenerError: (err) => log.error({ err }, 'a commit-effects listener failed'),
    });
    const templates = await loadTemplates(config.templatesDir);
    const admin = await ensureAdminToken(config.dataDir, backend, store.now());
    const coordinator =
      backend.kind === 'postgres'
        ? await PostgresCoordinator.start(config.store, log)
        : new LocalCoordinator();
    // One process owns an embedded store: after a restart, live agents and leases get a fresh TTL
    // (nobody could heartbeat while it was down). A cluster keeps renewing through other replicas.
    const recovered =
      backend.kind === 'sqlite' ? await store.recoverAfterRestart() : { agents: 0, leases: 0 };
    const sessions = new SessionRegistry((n) => metrics.klpSessionsOpen(n));
    const startedAt = store.now();
    // The core's round and reconciler are the engine's, which is built below (it needs the links).
    const core: Core = {
      config,
      store,
      templates,
      metrics,
      startedAt,
      assignNow: (actor: string): Promise<Lease[]> => engine.runRound(actor),
      get reconciler(): Engine['reconciler'] {
        return engine.reconciler;
      },
    };
    // Remote A2A agents are driven by the leader only (links/a2a/bridge.ts).
    const a2a = new A2aBridge({ core, log, leading: () => coordinator.leader });
    coordinator.onLeadership((leader) => a2a.leadership(leader));
    // The engine reacts to every commit's effects (pushes, rollbacks, rounds, metrics); the API
    // and gateway only call store verbs.
    const engine: Engine = new Engine(
      config,
      store,
      metrics,
      log,
      new AgentLinks([sessions, a2a]),
      coordinator,
    );
    const events = new EventFeed(store, coordinator, log);
    const auth = new Authenticator(
      store,
      await loadSessionKey(config.security.sessionSecret, config.dataDir),
    );
    // A revocation committed on any replica reaches every replica's feed: each forgets the token.
    // So does a key rotation: each replica ends the agent's session on the old key.
    await events.subscribe((e) => {
      auth.observe(e);
      sessions.observe(e);
      a2a.observe(e);
    });
    const app = await buildApp(
      {
        ...core,
        reconciler: engine.reconciler,
        sessions,
        events,
        auth,
        accepting: () => engine.accepting,
      },
      log,
      tls,
    );
    const address = await app.listen({ host: config.server.host, port: config.server.port });
    const url = address.replace('[::1]', 'localhost');
    engine.start();
    await a2a.start();
    registerConfiguredA2aAgents(core, config.a2a.agents, log);
    log.info(
      {
        url,
        store: backend.kind,
        data_dir: config.dataDir,
        admin_token_path: admin.path,
        admin_token_created: admin.created,
        recovered_agents: recovered.agents,
        recovered_leases: recovered.leases,
      },
      'listening',
    );
    return new Orchestrator(
      config,
      store,
      log,
      metrics,
      app,
      engine,
      events,
      sessions,
      a2a,
      coordinator,
      admin,
      url,
    );
  }

  /** Stops taking requests, lets the current round finish, flushes the store and closes it. */
  async stop(): Promise<void> {
    await this.engine.stop();
    this.a2a.close();
    this.sessions.closeAll(1001, 'orchestrator stopping');
    await this.app.close();
    await this.events.close();
    await this.coordinator.close();
    await this.store.backend.close();
    this.log.info('stopped');
  }
}

async function openBackend(config: Config, metrics: Metrics): Promise<Backend> {
  if (config.store === 'sqlite') {
    return openSqliteBackend({
      file: path.join(config.dataDir, SQLITE_FILE),
      synchronous: config.sqlite.synchronous,
      onCommit: (n) => metrics.storeCommit(n),
    });
  }
  if (/^postgres(ql)?:\/\//.test(config.store)) {
    return openPostgresBackend({
      url: config.store,
      onCommit: (n) => metrics.storeCommit(n),
      onRedo: () => metrics.storeBatchRedone(),
    });
  }
  throw new KosError(
    'KOS_ERR_CONFIG_INVALID',
    `store ${JSON.stringify(config.store)} is not supported: use "sqlite" or a postgres:// URL`,
    { problems: [`store: unsupported value ${config.store}`] },
  );
}
