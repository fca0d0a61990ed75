/**
 * The compiled configuration: every value resolved, validated and in its unit (…Ms, …Bytes).
 * `resolveConfig` builds it from defaults, the YAML file (snake_case keys, as in seed 001),
 * environment variables and flags.
 */
export interface Config {
  server: {
    host: string;
    port: number;
    /** https and wss on the port, from PEM files; null: plain http and ws. */
    tls: { certFile: string; keyFile: string } | null;
  };
  /** Where `.kos` data lives: the SQLite file, admin.token. */
  dataDir: string;
  /** `sqlite` (embedded, a file in dataDir) or a `postgres://` URL (see the cluster issue). */
  store: string;
  sqlite: { synchronous: 'FULL' | 'NORMAL' };
  retry: {
    maxAttempts: number;
    delayStrategy: 'fixed' | 'exponential';
    baseDelayMs: number;
    maxDelayMs: number;
    jitter: boolean;
  };
  policies: {
    /** After a failed attempt, prefer another capable agent for the next one. */
    fallbackOnError: boolean;
    /** When false, a retried task goes only to the agent of its previous attempt. */
    allowCrossAgent: boolean;
    /** Default capacity (`max_parallel`) of an agent that does not state its own. */
    maxParallelTasks: number;
    /** Default of a goal's max_parallel_tasks (its leased tasks at once); 0: no limit. */
    maxParallelPerGoal: number;
  };
  security: {
    /** How long a dashboard sign-in (the session cookie) lasts. */
    sessionTtlMs: number;
    /** Keys the session cookies; '' = one generated in the data directory (one replica only). */
    sessionSecret: string;
    /** Agents below this trust receive only tasks whose policy is experimental. */
    trustThreshold: number;
    /** Where trust drifts back to without new evidence (≥ trustThreshold). */
    trustNeutral: number;
    /** Trust's distance to trustNeutral halves every this many ms. */
    trustHalfLifeMs: number;
    /** Also record actions that change no task, goal or agent (issuing a token) as `audit` events. */
    auditAllActions: boolean;
  };
  /** Circuit breakers per agent and per agent × skill (docs/agent-health.md). */
  breaker: { failureThreshold: number; cooldownMs: number; halfOpenProbes: number };
  /** Quarantine after this many consecutive failures, or this many crashes, since a success. */
  lifecycle: { quarantineThreshold: number; maxCrashes: number };
  leases: { ttlMs: number };
  heartbeat: { ttlMs: number; sweepIntervalMs: number };
  /**
   * KLP sessions: a session silent for pingAfterMs is pinged and closed when nothing answers
   * within pongTimeoutMs; pulses of one lease are written to the store at most once per
   * pulseWriteIntervalMs (docs/protocol.md, "Liveness").
   */
  klp: { pingAfterMs: number; pongTimeoutMs: number; pulseWriteIntervalMs: number };
  /** The live event stream (GET /orchestration/events/stream). */
  events: { streamHeartbeatMs: number; streamMaxBufferedBytes: number };
  /**
   * The start-to-close bound of a task whose policy sets none: `startToCloseFactor` × its estimated
   * duration, kept within [startToCloseMinMs, startToCloseMaxMs]; a factor of 0: no default bound.
   */
  timeouts: { startToCloseFactor: number; startToCloseMinMs: number; startToCloseMaxMs: number };
  /** A cancelled task's holder has this long to stop and acknowledge before its lease is revoked. */
  cancellation: { graceMs: number };
  /** A task may be declined or delegated this many times; one more hand-off kills it. */
  delegation: { maxDepth: number };
  scheduler: {
    /** Run an assignment round after every event that may enable one (submit, complete, register…). */
    autoAssign: boolean;
    /** A waiting task climbs one priority tier per step, so low tiers are never starved. */
    agingStepMs: number;
    /** At most this many ready tasks are considered per round. */
    roundLimit: number;
  };
  reconciler: {
    /** How often the leader checks the store's invariants; 0: never. */
    intervalMs: number;
    /** How long a state may look wrong before it is reported (work in flight settles first). */
    graceMs: number;
  };
  limits: {
    maxBodyBytes: number;
    maxTasksPerGoal: number;
    maxGoalChars: number;
    maxSkillsPerEntity: number;
    maxInputBytes: number;
    maxResultBytes: number;
    /** Requests per second and burst per bearer token or session (429 beyond; docs/limits.md). */
    tokenRatePerS: number;
    tokenBurst: number;
    tokenMaxConcurrent: number;
    /** The same per client address, for requests without valid credentials. */
    ipRatePerS: number;
    ipBurst: number;
    ipMaxConcurrent: number;
    /** Requests in flight overall (503 beyond). */
    maxConcurrentRequests: number;
    /** Callers whose counts are remembered (the least recently seen forgotten first). */
    maxTrackedCallers: number;
    /** Slow clients: all headers, the whole request, and an idle keep-alive connection. */
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** KLP: authenticated sessions, sockets still without a hello, and how long a hello may take. */
    maxKlpSessions: number;
    maxUnauthenticatedSockets: number;
    handshakeTimeoutMs: number;
    /** Frames of one KLP session handled at once; at this many the socket stops reading. */
    maxFramesInFlight: number;
  };
  /** Extra workflow template folder; built-in templates are always loaded. */
  templatesDir: string | null;
  /** Planner agents (docs/planning.md). */
  planner: {
    /** A goal only the fallback template (`match: always`) matches: that template, or a planner agent. */
    unmatchedGoals: 'template' | 'planner';
    /** Rejected proposals get at most this many repair rounds. */
    maxRepairs: number;
    /** After the last rejected proposal: the goal's matching template, or fail. */
    fallback: 'template' | 'fail';
    /** Longest dependency chain of a proposed plan, in tasks. */
    maxDepth: number;
    /** Longest chain of a proposed plan by its tasks' estimates. */
    maxCriticalPathMs: number;
  };
  /** The web dashboard at `/`: `dir` null = the built @kos/dashboard package. */
  dashboard: { enabled: boolean; dir: string | null };
  /**
   * kOS as an A2A server (`/.well-known/agent-card.json`, `POST /a2a`). `pushAllowlist`: the URL
   * prefixes or origins push notifications may go to; empty, push is off.
   */
  a2a: {
    enabled: boolean;
    pushAllowlist: readonly string[];
    /** Remote A2A agents registered at start, as `kos a2a add` does (docs/interop.md, "A2A out"). */
    agents: { url: string; name: string | null; tokenFile: string | null }[];
  };
  log: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    /** `auto`: readable lines when stdout is a terminal, JSON lines otherwise. */
    format: 'auto' | 'json' | 'pretty';
  };
  /**
   * Keys that were set (by any source) and are accepted and validated, but that nothing enforces
   * yet (`security.sandbox_required`, seed 001's `default_policy.*`); said at start-up.
   */
  notYetEnforced: readonly NotYetEnforced[];
}

export interface NotYetEnforced {
  key: string;
  /** Where the value came from: `kos.yaml`. */
  from: string;
  /** Who will enforce it, or why nothing here does. */
  why: string;
}
