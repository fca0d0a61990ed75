import path from 'node:path';
import { KosError } from '@kos/protocol';
import { chooseConfigFile, describe, loadConfigFile } from './file.ts';
import { ALL_KEYS, ENV_KEYS, KEYS, type KeySpec } from './keys.ts';
import type { Config } from './types.ts';

export interface ConfigInput {
  /** A YAML file chosen by the caller (programmatic start); `flags.configFile` still wins. */
  file?: string | undefined;
  env: Record<string, string | undefined>;
  flags: {
    port?: string | number | undefined;
    host?: string | undefined;
    tlsCert?: string | undefined;
    tlsKey?: string | undefined;
    dataDir?: string | undefined;
    store?: string | undefined;
    configFile?: string | undefined;
  };
  /** Where `kos.yaml` is looked for and relative env/flag paths start; defaults to process.cwd(). */
  cwd?: string | undefined;
}

/** One value offered for a key, with where it came from. */
interface Offer {
  raw: unknown;
  /** `kos.yaml`, `env KOS_PORT`, `flag --port`. */
  from: string;
  baseDir: string;
}

const FLAG_KEYS = [
  ['port', '--port', KEYS.port],
  ['host', '--host', KEYS.host],
  ['tlsCert', '--tls-cert', KEYS.tlsCertFile],
  ['tlsKey', '--tls-key', KEYS.tlsKeyFile],
  ['dataDir', '--data-dir', KEYS.dataDir],
  ['store', '--store', KEYS.store],
] as const;

/**
 * Compiles the configuration: built-in defaults < YAML file < environment < flags. Every offered
 * value is validated, including ones a later source overrides, and all problems are reported at
 * once in one KOS_ERR_CONFIG_INVALID (details.problems), so a start fails with the full list.
 */
export function resolveConfig(input: ConfigInput): Config {
  const cwd = input.cwd ?? process.cwd();
  const problems: string[] = [];
  const offers = new Map<string, Offer[]>();
  const offer = (key: string, o: Offer): void => {
    offers.set(key, [...(offers.get(key) ?? []), o]);
  };

  const choice = chooseConfigFile(input.flags.configFile, input.file, input.env['KOS_CONFIG'], cwd);
  if (choice !== null) {
    const file = loadConfigFile(choice, cwd, problems);
    for (const [key, raw] of file?.values ?? [])
      offer(key, { raw, from: file?.label ?? '', baseDir: file?.baseDir ?? cwd });
  }
  for (const [name, spec] of Object.entries(ENV_KEYS)) {
    const raw = input.env[name];
    // An empty variable (`KOS_PORT= kos serve`) counts as unset, as shells use it.
    if (raw !== undefined && raw !== '') offer(spec.key, { raw, from: `env ${name}`, baseDir: cwd });
  }
  for (const [field, flag, spec] of FLAG_KEYS) {
    const raw = input.flags[field];
    if (raw !== undefined && raw !== '') offer(spec.key, { raw, from: `flag ${flag}`, baseDir: cwd });
  }

  for (const spec of ALL_KEYS) {
    for (const o of offers.get(spec.key) ?? []) {
      if (spec.parse(o.raw) === undefined) {
        problems.push(`${spec.key}: must be ${spec.allowed} (got ${describe(o.raw)} from ${o.from})`);
      }
    }
  }

  /** The winning value of a key and its source; an invalid winner (already reported) yields the default. */
  function pick<T>(spec: KeySpec<T>): { value: T; from: string; baseDir: string; valid: boolean } {
    const winner = offers.get(spec.key)?.at(-1);
    if (winner === undefined) return { value: spec.default, from: 'the default', baseDir: cwd, valid: true };
    const value = spec.parse(winner.raw);
    if (value === undefined) return { value: spec.default, from: 'the default', baseDir: cwd, valid: false };
    return { value, from: winner.from, baseDir: winner.baseDir, valid: true };
  }
  const get = <T>(spec: KeySpec<T>): T => pick(spec).value;

  const dataDir = pick(KEYS.dataDir);
  const templatesDir = pick(KEYS.templatesDir);
  const dashboardDir = pick(KEYS.dashboardDir);
  const [cert, key] = [pick(KEYS.tlsCertFile), pick(KEYS.tlsKeyFile)];
  if ((cert.value === null) !== (key.value === null)) {
    const [set, unset] = cert.value === null ? [key, KEYS.tlsCertFile] : [cert, KEYS.tlsKeyFile];
    problems.push(
      `${unset.key}: must be set too for TLS (${set === cert ? KEYS.tlsCertFile.key : KEYS.tlsKeyFile.key} is, from ${set.from})`,
    );
  }
  const a2aAgents = pick(KEYS.a2aAgents);
  const config: Config = {
    server: {
      host: get(KEYS.host),
      port: get(KEYS.port),
      tls:
        cert.value === null || key.value === null
          ? null
          : {
              certFile: path.resolve(cert.baseDir, cert.value),
              keyFile: path.resolve(key.baseDir, key.value),
            },
    },
    dataDir: path.resolve(dataDir.baseDir, dataDir.value),
    store: get(KEYS.store),
    sqlite: { synchronous: get(KEYS.sqliteSynchronous) },
    retry: {
      maxAttempts: get(KEYS.maxAttempts),
      delayStrategy: get(KEYS.delayStrategy),
      baseDelayMs: get(KEYS.baseDelayMs),
      maxDelayMs: get(KEYS.maxDelayMs),
      jitter: get(KEYS.jitter),
    },
    policies: {
      fallbackOnError: get(KEYS.fallbackOnError),
      allowCrossAgent: get(KEYS.allowCrossAgent),
      maxParallelTasks: get(KEYS.maxParallelTasks),
      maxParallelPerGoal: get(KEYS.maxParallelPerGoal),
    },
    security: {
      trustThreshold: get(KEYS.trustThreshold),
      trustNeutral: get(KEYS.trustNeutral),
      trustHalfLifeMs: get(KEYS.trustHalfLifeMs),
      auditAllActions: get(KEYS.auditAllActions),
      sessionTtlMs: get(KEYS.sessionTtlMs),
      sessionSecret: get(KEYS.sessionSecret),
    },
    breaker: {
      failureThreshold: get(KEYS.breakerFailureThreshold),
      cooldownMs: get(KEYS.breakerCooldownMs),
      halfOpenProbes: get(KEYS.breakerHalfOpenProbes),
    },
    lifecycle: { quarantineThreshold: get(KEYS.quarantineThreshold), maxCrashes: get(KEYS.maxCrashes) },
    leases: { ttlMs: get(KEYS.leaseTtlMs) },
    heartbeat: { ttlMs: get(KEYS.heartbeatTtlMs), sweepIntervalMs: get(KEYS.sweepIntervalMs) },
    klp: {
      pingAfterMs: get(KEYS.pingAfterMs),
      pongTimeoutMs: get(KEYS.pongTimeoutMs),
      pulseWriteIntervalMs: get(KEYS.pulseWriteIntervalMs),
    },
    events: {
      streamHeartbeatMs: get(KEYS.streamHeartbeatMs),
      streamMaxBufferedBytes: get(KEYS.streamMaxBufferedBytes),
    },
    timeouts: {
      startToCloseFactor: get(KEYS.startToCloseFactor),
      startToCloseMinMs: get(KEYS.startToCloseMinMs),
      startToCloseMaxMs: get(KEYS.startToCloseMaxMs),
    },
    cancellation: { graceMs: get(KEYS.cancellationGraceMs) },
    delegation: { maxDepth: get(KEYS.delegationMaxDepth) },
    scheduler: {
      autoAssign: get(KEYS.autoAssign),
      agingStepMs: get(KEYS.agingStepMs),
      roundLimit: get(KEYS.roundLimit),
    },
    reconciler: { intervalMs: get(KEYS.reconcilerIntervalMs), graceMs: get(KEYS.reconcilerGraceMs) },
    limits: {
      maxBodyBytes: get(KEYS.maxBodyBytes),
      maxTasksPerGoal: get(KEYS.maxTasksPerGoal),
      maxGoalChars: get(KEYS.maxGoalChars),
      maxSkillsPerEntity: get(KEYS.maxSkillsPerEntity),
      maxInputBytes: get(KEYS.maxInputBytes),
      maxResultBytes: get(KEYS.maxResultBytes),
      tokenRatePerS: get(KEYS.tokenRatePerS),
      tokenBurst: get(KEYS.tokenBurst),
      tokenMaxConcurrent: get(KEYS.tokenMaxConcurrent),
      ipRatePerS: get(KEYS.ipRatePerS),
      ipBurst: get(KEYS.ipBurst),
      ipMaxConcurrent: get(KEYS.ipMaxConcurrent),
      maxConcurrentRequests: get(KEYS.maxConcurrentRequests),
      maxTrackedCallers: get(KEYS.maxTrackedCallers),
      headersTimeoutMs: get(KEYS.headersTimeoutMs),
      requestTimeoutMs: get(KEYS.requestTimeoutMs),
      keepAliveTimeoutMs: get(KEYS.keepAliveTimeoutMs),
      maxKlpSessions: get(KEYS.maxKlpSessions),
      maxUnauthenticatedSockets: get(KEYS.maxUnauthenticatedSockets),
      handshakeTimeoutMs: get(KEYS.handshakeTimeoutMs),
      maxFramesInFlight: get(KEYS.maxFramesInFlight),
    },
    templatesDir: templatesDir.value === null ? null : path.resolve(templatesDir.baseDir, templatesDir.value),
    planner: {
      unmatchedGoals: get(KEYS.plannerUnmatchedGoals),
      maxRepairs: get(KEYS.plannerMaxRepairs),
      fallback: get(KEYS.plannerFallback),
      maxDepth: get(KEYS.plannerMaxDepth),
      maxCriticalPathMs: get(KEYS.plannerMaxCriticalPathMs),
    },
    dashboard: {
      enabled: get(KEYS.dashboardEnabled),
      dir: dashboardDir.value === null ? null : path.resolve(dashboardDir.baseDir, dashboardDir.value),
    },
    a2a: {
      enabled: get(KEYS.a2aEnabled),
      pushAllowlist: get(KEYS.a2aPushAllowlist),
      agents: a2aAgents.value.map((a) => ({
        ...a,
        tokenFile: a.tokenFile === null ? null : path.resolve(a2aAgents.baseDir, a.tokenFile),
      })),
    },
    log: { level: get(KEYS.logLevel), format: get(KEYS.logFormat) },
    notYetEnforced: ALL_KEYS.flatMap((spec) => {
      const winner = offers.get(spec.key)?.at(-1);
      return spec.notYetEnforced === undefined || winner === undefined
        ? []
        : [{ key: spec.key, from: winner.from, why: spec.notYetEnforced }];
    }),
  };

  // Relations between keys; checked on the values that won, each named with its source.
  const relation = (a: KeySpec<number>, op: '>' | '≥', b: KeySpec<number>, why: string): void => {
    const x = pick(a);
    const y = pick(b);
    // An invalid value is reported already; comparing its stand-in default would only confuse.
    if (!x.valid || !y.valid || (op === '>' ? x.value > y.value : x.value >= y.value)) return;
    const word = op === '>' ? 'greater than' : 'at least';
    problems.push(
      `${a.key}: must be ${word} ${b.key} ${why} (got ${x.value} from ${x.from} and ${y.value} from ${y.from})`,
    );
  };
  relation(
    KEYS.heartbeatTtlMs,
    '>',
    KEYS.sweepIntervalMs,
    'so silent agents are found within their TTL plus one sweep',
  );
  relation(KEYS.leaseTtlMs, '≥', KEYS.heartbeatTtlMs, 'so a live agent keeps its lease between heartbeats');
  relation(KEYS.maxDelayMs, '≥', KEYS.baseDelayMs, 'as the cap of the retry delay');
  relation(
    KEYS.startToCloseMaxMs,
    '≥',
    KEYS.startToCloseMinMs,
    'as the cap of the default start-to-close bound',
  );
  relation(
    KEYS.trustNeutral,
    '≥',
    KEYS.trustThreshold,
    'so an idle agent is not demoted to experimental work by time alone',
  );
  relation(KEYS.requestTimeoutMs, '≥', KEYS.headersTimeoutMs, 'as the headers are part of the request');
  relation(KEYS.tokenBurst, '≥', KEYS.tokenRatePerS, 'so a token can spend one second of its rate at once');
  relation(KEYS.ipBurst, '≥', KEYS.ipRatePerS, 'so an address can spend one second of its rate at once');

  if (problems.length > 0) {
    throw new KosError(
      'KOS_ERR_CONFIG_INVALID',
      `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      {
        problems,
      },
    );
  }
  return config;
}
