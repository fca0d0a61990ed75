import type { Config } from './types.ts';

/**
 * One configuration key as written in kos.yaml (snake_case, dotted by section), with its default
 * and a parser. Parsers accept the YAML value or the raw string of an env variable / flag, and
 * return `undefined` for a value that is not allowed; `allowed` says what would be.
 */
export interface KeySpec<T> {
  readonly key: string;
  readonly default: T;
  readonly allowed: string;
  /** Set on a key accepted so the seed's files load, though nothing reads it yet: who will, or why not. */
  readonly notYetEnforced?: string;
  parse(raw: unknown): T | undefined;
}

function integer(key: string, def: number, min: number, max = Number.MAX_SAFE_INTEGER): KeySpec<number> {
  const allowed =
    max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  return {
    key,
    default: def,
    allowed,
    parse(raw) {
      const n = toNumber(raw);
      return n !== undefined && Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
    },
  };
}

function decimal(key: string, def: number, allowed: string, ok: (n: number) => boolean): KeySpec<number> {
  return {
    key,
    default: def,
    allowed,
    parse(raw) {
      const n = toNumber(raw);
      return n !== undefined && ok(n) ? n : undefined;
    },
  };
}

const fraction = (key: string, def: number): KeySpec<number> =>
  decimal(key, def, 'a number from 0 to 1', (n) => n >= 0 && n <= 1);

const SIZE = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i;
const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 2 ** 10,
  MB: 2 ** 20,
  GB: 2 ** 30,
  TB: 2 ** 40,
};

/** A size in bytes: a bare number of bytes, or `512MB` / `1GiB` (KB, MB… are powers of 1024). */
function size(key: string, defBytes: number): KeySpec<number> {
  return {
    key,
    default: defBytes,
    allowed: 'a size such as 512MB or 1GB',
    parse(raw) {
      if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 1 ? raw : undefined;
      const m = typeof raw === 'string' ? SIZE.exec(raw.trim()) : null;
      if (m === null) return undefined;
      const unit = SIZE_UNITS[(m[2] ?? 'B').toUpperCase().replace('I', '')] ?? 1;
      const bytes = Math.round(Number(m[1]) * unit);
      return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
    },
  };
}

function boolean(key: string, def: boolean): KeySpec<boolean> {
  return {
    key,
    default: def,
    allowed: 'true or false',
    parse(raw) {
      if (typeof raw === 'boolean') return raw;
      if (typeof raw !== 'string') return undefined;
      const s = raw.trim().toLowerCase();
      if (s === 'true' || s === '1') return true;
      if (s === 'false' || s === '0') return false;
      return undefined;
    },
  };
}

function oneOf<const V extends string>(key: string, def: V, values: readonly V[]): KeySpec<V> {
  return {
    key,
    default: def,
    allowed: `one of ${values.join(', ')}`,
    parse(raw) {
      if (typeof raw !== 'string') return undefined;
      return values.find((v) => v.toLowerCase() === raw.trim().toLowerCase());
    },
  };
}

function text(key: string, def: string, allowed: string, ok: (s: string) => boolean): KeySpec<string> {
  return {
    key,
    default: def,
    allowed,
    parse(raw) {
      if (typeof raw !== 'string') return undefined;
      const s = raw.trim();
      return ok(s) ? s : undefined;
    },
  };
}

/** A path or null; made absolute later, against the directory of the source that set it. */
function optionalPath(key: string, allowed = 'a directory path or null'): KeySpec<string | null> {
  return {
    key,
    default: null,
    allowed,
    parse(raw) {
      if (raw === null) return null;
      return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
    },
  };
}

/**
 * A list of push destinations: http(s) URL prefixes (`https://hooks.example.com/a2a/`) or origins
 * (`http://127.0.0.1:8080`); in YAML a list, in an env variable or flag comma-separated.
 */
function urlPrefixes(key: string): KeySpec<readonly string[]> {
  const ok = (s: string): boolean => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
    } catch {
      return false;
    }
  };
  return {
    key,
    default: [],
    allowed: 'a list of http(s) URL prefixes or origins (no credentials)',
    parse(raw) {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
      if (items === null || items.some((i) => typeof i !== 'string')) return undefined;
      const list = (items as string[]).map((i) => i.trim()).filter((i) => i !== '');
      return list.every(ok) ? list : undefined;
    },
  };
}

/** A remote A2A agent to drive (docs/interop.md, "A2A out"); `tokenFile` is made absolute later. */
export interface A2aAgentEntry {
  url: string;
  name: string | null;
  tokenFile: string | null;
}

/** `a2a.agents`: a list of `{url, name?, token_file?}`, each URL http(s). */
function a2aAgents(key: string): KeySpec<A2aAgentEntry[]> {
  const str = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
  const entry = (v: unknown): A2aAgentEntry | undefined => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const o = v as Record<string, unknown>;
    if (Object.keys(o).some((k) => k !== 'url' && k !== 'name' && k !== 'token_file')) return undefined;
    const { url, name, token_file: tokenFile } = o;
    if (!str(url) || !/^https?:\/\/\S+$/.test(url.trim())) return undefined;
    if (name !== undefined && !str(name)) return undefined;
    if (tokenFile !== undefined && !str(tokenFile)) return undefined;
    return { url: url.trim(), name: name?.trim() ?? null, tokenFile: tokenFile?.trim() ?? null };
  };
  return {
    key,
    default: [],
    allowed: 'a list of {url, name?, token_file?} with http(s) Agent Card URLs',
    parse(raw) {
      if (raw === null) return [];
      if (!Array.isArray(raw)) return undefined;
      const out = raw.map(entry);
      return out.every((e) => e !== undefined) ? (out as A2aAgentEntry[]) : undefined;
    },
  };
}

function notYetEnforced<T>(spec: KeySpec<T>, why: string): KeySpec<T> {
  return { ...spec, notYetEnforced: why };
}

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const n = Number(raw.trim());
  return Number.isFinite(n) ? n : undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
const POSTGRES_URL = /^postgres(ql)?:\/\/\S+$/;
const SANDBOX_LEVELS = ['none', 'standard', 'strict'] as const;
/** The agents' own policy (seed 001's `default_policy:`): the supervisor, which runs agents, applies it. */
const BY_SUPERVISOR = 'the supervisor (a later issue) will apply it to the agents it runs';
const supervised = <T>(spec: KeySpec<T>): KeySpec<T> => notYetEnforced(spec, BY_SUPERVISOR);

/** Every key the orchestrator reads. The order is the order of docs/configuration.md. */
export const KEYS = {
  host: text('server.host', '127.0.0.1', 'a non-empty host name or address', (s) => s !== ''),
  port: integer('server.port', 7700, 0, 65535),
  tlsCertFile: optionalPath('server.tls_cert_file', 'a PEM certificate file path or null'),
  tlsKeyFile: optionalPath('server.tls_key_file', 'a PEM private key file path or null'),
  dataDir: text('data_dir', './.kos', 'a non-empty directory path', (s) => s !== ''),
  store: text(
    'store',
    'sqlite',
    'sqlite or a postgres:// / postgresql:// URL',
    (s) => s === 'sqlite' || POSTGRES_URL.test(s),
  ),
  sqliteSynchronous: oneOf('sqlite.synchronous', 'FULL', ['FULL', 'NORMAL']),
  maxAttempts: integer('retry.max_attempts', 3, 1),
  delayStrategy: oneOf('retry.delay_strategy', 'exponential', ['exponential', 'fixed']),
  baseDelayMs: integer('retry.base_delay_ms', 200, 0),
  maxDelayMs: integer('retry.max_delay_ms', 30_000, 0),
  jitter: boolean('retry.jitter', true),
  fallbackOnError: boolean('policies.fallback_on_error', true),
  allowCrossAgent: boolean('policies.allow_cross_agent', true),
  maxParallelTasks: integer('policies.max_parallel_tasks', 5, 1),
  maxParallelPerGoal: integer('policies.max_parallel_per_goal', 0, 0),
  trustThreshold: fraction('security.trust_threshold', 0.7),
  trustNeutral: fraction('security.trust_neutral', 0.8),
  trustHalfLifeMs: integer('security.trust_half_life_ms', 3_600_000, 1),
  auditAllActions: boolean('security.audit_all_actions', true),
  sessionTtlMs: integer('security.session_ttl_ms', 3_600_000, 1000),
  sessionSecret: text(
    'security.session_secret',
    '',
    'empty (a key is generated in the data directory) or at least 32 characters',
    (s) => s === '' || s.length >= 32,
  ),
  sandboxRequired: notYetEnforced(
    boolean('security.sandbox_required', false),
    "sandboxing is the agents' runtime concern, not the orchestrator's",
  ),
  breakerFailureThreshold: integer('breaker.failure_threshold', 3, 1),
  breakerCooldownMs: integer('breaker.cooldown_ms', 30_000, 1),
  breakerHalfOpenProbes: integer('breaker.half_open_probes', 1, 1),
  quarantineThreshold: integer('lifecycle.quarantine_threshold', 5, 1),
  maxCrashes: integer('lifecycle.max_crashes', 3, 1),
  leaseTtlMs: integer('leases.ttl_ms', 30_000, 1),
  heartbeatTtlMs: integer('heartbeat.ttl_ms', 15_000, 1),
  sweepIntervalMs: integer('heartbeat.sweep_interval_ms', 1_000, 1),
  pingAfterMs: integer('klp.ping_after_ms', 10_000, 1),
  pongTimeoutMs: integer('klp.pong_timeout_ms', 5_000, 1),
  pulseWriteIntervalMs: integer('klp.pulse_write_interval_ms', 1_000, 1),
  streamHeartbeatMs: integer('events.stream_heartbeat_ms', 15_000, 1),
  streamMaxBufferedBytes: integer('events.stream_max_buffered_bytes', 1_048_576, 1024),
  // A default, not an SLA: generous enough for estimates that are off by several times, so that
  // it ends only handlers that are stuck (issue 19: one held its lease for over 16 minutes).
  startToCloseFactor: decimal(
    'timeouts.start_to_close_factor',
    10,
    'a number from 0 to 1000',
    (n) => n >= 0 && n <= 1000,
  ),
  startToCloseMinMs: integer('timeouts.start_to_close_min_ms', 300_000, 1),
  startToCloseMaxMs: integer('timeouts.start_to_close_max_ms', 86_400_000, 1),
  cancellationGraceMs: integer('cancellation.grace_ms', 5_000, 1),
  delegationMaxDepth: integer('delegation.max_depth', 5, 0),
  autoAssign: boolean('scheduler.auto_assign', true),
  agingStepMs: integer('scheduler.aging_step_ms', 30_000, 1),
  roundLimit: integer('scheduler.round_limit', 1_000, 1),
  reconcilerIntervalMs: integer('reconciler.interval_ms', 10_000, 0),
  reconcilerGraceMs: integer('reconciler.grace_ms', 5_000, 0),
  maxBodyBytes: integer('limits.max_body_bytes', 1_048_576, 1),
  maxTasksPerGoal: integer('limits.max_tasks_per_goal', 1_000, 1),
  maxGoalChars: integer('limits.max_goal_chars', 2_000, 1),
  maxSkillsPerEntity: integer('limits.max_skills_per_entity', 32, 1),
  maxInputBytes: integer('limits.max_input_bytes', 262_144, 1),
  maxResultBytes: integer('limits.max_result_bytes', 1_048_576, 1),
  // Per caller (docs/limits.md): generous enough that tests, the benchmark and the demo never meet
  // them; a flood from one token or address is refused with 429 before it can starve others.
  tokenRatePerS: integer('limits.token_rate_per_s', 1_000, 1),
  tokenBurst: integer('limits.token_burst', 2_000, 1),
  tokenMaxConcurrent: integer('limits.token_max_concurrent', 512, 1),
  ipRatePerS: integer('limits.ip_rate_per_s', 200, 1),
  ipBurst: integer('limits.ip_burst', 400, 1),
  ipMaxConcurrent: integer('limits.ip_max_concurrent', 128, 1),
  maxConcurrentRequests: integer('limits.max_concurrent_requests', 8_192, 1),
  maxTrackedCallers: integer('limits.max_tracked_callers', 100_000, 1),
  headersTimeoutMs: integer('limits.headers_timeout_ms', 10_000, 1),
  requestTimeoutMs: integer('limits.request_timeout_ms', 30_000, 1),
  keepAliveTimeoutMs: integer('limits.keep_alive_timeout_ms', 5_000, 1),
  maxKlpSessions: integer('limits.max_klp_sessions', 10_000, 1),
  maxUnauthenticatedSockets: integer('limits.max_unauthenticated_sockets', 4_096, 1),
  handshakeTimeoutMs: integer('limits.handshake_timeout_ms', 10_000, 1),
  maxFramesInFlight: integer('limits.max_frames_in_flight', 256, 1),
  templatesDir: optionalPath('templates_dir'),
  plannerUnmatchedGoals: oneOf<Config['planner']['unmatchedGoals']>('planner.unmatched_goals', 'template', [
    'template',
    'planner',
  ]),
  plannerMaxRepairs: integer('planner.max_repairs', 2, 0, 10),
  plannerFallback: oneOf<Config['planner']['fallback']>('planner.fallback', 'template', ['template', 'fail']),
  plannerMaxDepth: integer('planner.max_depth', 32, 1),
  plannerMaxCriticalPathMs: integer('planner.max_critical_path_ms', 86_400_000, 1),
  dashboardEnabled: boolean('dashboard.enabled', true),
  dashboardDir: optionalPath('dashboard.dir'),
  a2aEnabled: boolean('a2a.enabled', true),
  a2aPushAllowlist: urlPrefixes('a2a.push_allowlist'),
  a2aAgents: a2aAgents('a2a.agents'),
  logLevel: oneOf<Config['log']['level']>('log.level', 'info', LOG_LEVELS),
  logFormat: oneOf<Config['log']['format']>('log.format', 'auto', LOG_FORMATS),
  // Seed 001's `default_policy:` block. Nothing reads these yet; their defaults are the seed's values.
  policyCpu: supervised(decimal('default_policy.resource_limits.cpu', 1, 'a number > 0', (n) => n > 0)),
  policyMemoryBytes: supervised(size('default_policy.resource_limits.memory', 512 * 2 ** 20)),
  policyDiskBytes: supervised(size('default_policy.resource_limits.disk', 2 ** 30)),
  policyMaxCrashes: supervised(integer('default_policy.lifecycle.max_crashes', 3, 1)),
  policyAutoRestart: supervised(boolean('default_policy.lifecycle.auto_restart', true)),
  policyQuarantineThreshold: supervised(integer('default_policy.lifecycle.quarantine_threshold', 5, 1)),
  policySandboxLevel: supervised(oneOf('default_policy.security.sandbox_level', 'strict', SANDBOX_LEVELS)),
  policyCryptoRequired: supervised(boolean('default_policy.security.crypto_required', true)),
} as const;

export const ALL_KEYS: readonly KeySpec<unknown>[] = Object.values(KEYS);

/** Environment variables that override one key each (KOS_CONFIG names the file instead). */
export const ENV_KEYS: Readonly<Record<string, KeySpec<unknown>>> = {
  KOS_HOST: KEYS.host,
  KOS_PORT: KEYS.port,
  KOS_TLS_CERT: KEYS.tlsCertFile,
  KOS_TLS_KEY: KEYS.tlsKeyFile,
  KOS_DATA_DIR: KEYS.dataDir,
  KOS_STORE: KEYS.store,
  KOS_LOG_LEVEL: KEYS.logLevel,
  KOS_LOG_FORMAT: KEYS.logFormat,
  KOS_SESSION_SECRET: KEYS.sessionSecret,
};
