/**
 * The compiled configuration: every value resolved, validated and in its unit (…Ms, …Bytes).
 * `resolveConfig` builds it from defaults, the YAML file (snake_case keys, as in seed 001),
 * environment variables and flags.
 */
export interface Config {
  server: { host: string; port: number };
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
  };
  security: {
    /** Agents below this trust get work only when no trusted capable agent has a free slot. */
    trustThreshold: number;
    /** Also record actions that change no task, goal or agent (issuing a token) as `audit` events. */
    auditAllActions: boolean;
  };
  leases: { ttlMs: number };
  heartbeat: { ttlMs: number; sweepIntervalMs: number };
  scheduler: {
    /** Run an assignment round after every event that may enable one (submit, complete, register…). */
    autoAssign: boolean;
    /** A waiting task climbs one priority tier per step, so low tiers are never starved. */
    agingStepMs: number;
    /** At most this many ready tasks are considered per round. */
    roundLimit: number;
  };
  limits: {
    maxBodyBytes: number;
    maxTasksPerGoal: number;
    maxGoalChars: number;
    maxSkillsPerEntity: number;
    maxInputBytes: number;
    maxResultBytes: number;
  };
  /** Extra workflow template folder; built-in templates are always loaded. */
  templatesDir: string | null;
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}
