import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEED_001_CONFIG, problemsOf, resolveIn, tempDir, withFile } from './test-helpers.ts';

describe('resolveConfig defaults', () => {
  it('returns the documented defaults when nothing is configured', () => {
    const cwd = withFile();
    expect(resolveIn(cwd)).toEqual({
      server: { host: '127.0.0.1', port: 7700, tls: null },
      dataDir: path.join(cwd, '.kos'),
      store: 'sqlite',
      sqlite: { synchronous: 'FULL' },
      retry: {
        maxAttempts: 3,
        delayStrategy: 'exponential',
        baseDelayMs: 200,
        maxDelayMs: 30_000,
        jitter: true,
      },
      policies: { fallbackOnError: true, allowCrossAgent: true, maxParallelTasks: 5, maxParallelPerGoal: 0 },
      security: {
        trustThreshold: 0.7,
        trustNeutral: 0.8,
        trustHalfLifeMs: 3_600_000,
        auditAllActions: true,
        sessionTtlMs: 3_600_000,
        sessionSecret: '',
      },
      breaker: { failureThreshold: 3, cooldownMs: 30_000, halfOpenProbes: 1 },
      lifecycle: { quarantineThreshold: 5, maxCrashes: 3 },
      leases: { ttlMs: 30_000 },
      heartbeat: { ttlMs: 15_000, sweepIntervalMs: 1_000 },
      klp: { pingAfterMs: 10_000, pongTimeoutMs: 5_000, pulseWriteIntervalMs: 1_000 },
      events: { streamHeartbeatMs: 15_000, streamMaxBufferedBytes: 1_048_576 },
      timeouts: { startToCloseFactor: 10, startToCloseMinMs: 300_000, startToCloseMaxMs: 86_400_000 },
      cancellation: { graceMs: 5_000 },
      delegation: { maxDepth: 5 },
      scheduler: { autoAssign: true, agingStepMs: 30_000, roundLimit: 1_000 },
      reconciler: { intervalMs: 10_000, graceMs: 5_000 },
      limits: {
        maxBodyBytes: 1_048_576,
        maxTasksPerGoal: 1_000,
        maxGoalChars: 2_000,
        maxSkillsPerEntity: 32,
        maxInputBytes: 262_144,
        maxResultBytes: 1_048_576,
        tokenRatePerS: 1_000,
        tokenBurst: 2_000,
        tokenMaxConcurrent: 512,
        ipRatePerS: 200,
        ipBurst: 400,
        ipMaxConcurrent: 128,
        maxConcurrentRequests: 8_192,
        maxTrackedCallers: 100_000,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
        maxKlpSessions: 10_000,
        maxUnauthenticatedSockets: 4_096,
        handshakeTimeoutMs: 10_000,
        maxFramesInFlight: 256,
      },
      templatesDir: null,
      planner: {
        unmatchedGoals: 'template',
        maxRepairs: 2,
        fallback: 'template',
        maxDepth: 32,
        maxCriticalPathMs: 86_400_000,
      },
      dashboard: { enabled: true, dir: null },
      a2a: { enabled: true, pushAllowlist: [], agents: [] },
      log: { level: 'info', format: 'auto' },
      notYetEnforced: [],
    });
  });
});

describe('resolveConfig precedence', () => {
  const yaml = 'server:\n  port: 8000\n  host: 0.0.0.0\nlog:\n  level: debug\n';

  it('takes file values over defaults', () => {
    const config = resolveIn(withFile(yaml));
    expect(config.server).toEqual({ host: '0.0.0.0', port: 8000, tls: null });
    expect(config.log.level).toBe('debug');
  });

  it('takes environment values over the file', () => {
    const config = resolveIn(withFile(`${yaml}  format: pretty\n`), {
      env: { KOS_PORT: '8100', KOS_LOG_LEVEL: 'warn', KOS_LOG_FORMAT: 'json' },
    });
    expect(config.server).toEqual({ host: '0.0.0.0', port: 8100, tls: null });
    expect(config.log).toEqual({ level: 'warn', format: 'json' });
  });

  it('takes flags over the environment', () => {
    const config = resolveIn(withFile(yaml), {
      env: { KOS_PORT: '8100', KOS_HOST: '10.0.0.1', KOS_STORE: 'postgres://db/kos' },
      flags: { port: 8200, host: '::1', store: 'sqlite' },
    });
    expect(config.server).toEqual({ host: '::1', port: 8200, tls: null });
    expect(config.store).toBe('sqlite');
  });

  it('treats an empty environment variable or flag as unset', () => {
    const config = resolveIn(withFile(yaml), { env: { KOS_PORT: '' }, flags: { host: '' } });
    expect(config.server).toEqual({ host: '0.0.0.0', port: 8000, tls: null });
  });

  it('applies the last source that sets each key, for any mix of sources', () => {
    const port = fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined });
    fc.assert(
      fc.property(port, port, port, (filePort, envPort, flagPort) => {
        const cwd = withFile(filePort === undefined ? undefined : `server:\n  port: ${filePort}\n`);
        const config = resolveIn(cwd, {
          env: { KOS_PORT: envPort === undefined ? undefined : String(envPort) },
          flags: { port: flagPort === undefined ? undefined : String(flagPort) },
        });
        expect(config.server.port).toBe(flagPort ?? envPort ?? filePort ?? 7700);
      }),
      { numRuns: 30 },
    );
  });
});

describe('resolveConfig file selection and shapes', () => {
  it('reads keys nested under orchestrator: as in the seed', () => {
    const cwd = withFile(
      [
        'orchestrator:',
        '  retry:',
        '    max_attempts: 5',
        '    delay_strategy: fixed',
        '    base_delay_ms: 100',
        '    jitter: false',
        '  policies:',
        '    fallback_on_error: false',
        '    allow_cross_agent: false',
        '    max_parallel_tasks: 2',
        '  security:',
        '    sandbox_required: true',
        '    trust_threshold: 0.5',
        '    audit_all_actions: false',
      ].join('\n'),
    );
    const config = resolveIn(cwd);
    expect(config.retry).toEqual({
      maxAttempts: 5,
      delayStrategy: 'fixed',
      baseDelayMs: 100,
      maxDelayMs: 30_000,
      jitter: false,
    });
    expect(config.policies).toEqual({
      fallbackOnError: false,
      allowCrossAgent: false,
      maxParallelTasks: 2,
      maxParallelPerGoal: 0,
    });
    expect(config.security).toEqual({
      trustThreshold: 0.5,
      trustNeutral: 0.8,
      trustHalfLifeMs: 3_600_000,
      auditAllActions: false,
      sessionTtlMs: 3_600_000,
      sessionSecret: '',
    });
  });

  it('accepts seed 001’s configuration as written and names the keys not yet enforced', () => {
    const config = resolveIn(withFile(SEED_001_CONFIG));
    expect(config.retry.maxAttempts).toBe(3);
    expect(config.security.trustThreshold).toBe(0.7);
    expect(config.notYetEnforced).toEqual([
      expect.objectContaining({ key: 'security.sandbox_required', from: 'kos.yaml' }),
      ...[
        'resource_limits.cpu',
        'resource_limits.memory',
        'resource_limits.disk',
        'lifecycle.max_crashes',
        'lifecycle.auto_restart',
        'lifecycle.quarantine_threshold',
        'security.sandbox_level',
        'security.crypto_required',
      ].map((leaf) => expect.objectContaining({ key: `default_policy.${leaf}`, from: 'kos.yaml' })),
    ]);
  });

  it('names no key as not yet enforced when none of them is set', () => {
    expect(resolveIn(withFile('retry:\n  max_attempts: 2\n')).notYetEnforced).toEqual([]);
  });

  it('reads keys at the top level and under orchestrator: in one file', () => {
    const cwd = withFile('store: postgresql://u@db/kos\norchestrator:\n  leases:\n    ttl_ms: 60000\n');
    const config = resolveIn(cwd);
    expect(config.store).toBe('postgresql://u@db/kos');
    expect(config.leases.ttlMs).toBe(60_000);
  });

  it('accepts an empty file and empty sections', () => {
    expect(resolveIn(withFile('')).server.port).toBe(7700);
    expect(resolveIn(withFile('retry:\norchestrator:\n')).retry.maxAttempts).toBe(3);
  });

  it('uses --config over KOS_CONFIG over ./kos.yaml', () => {
    const cwd = withFile('server:\n  port: 1\n');
    writeFileSync(path.join(cwd, 'env.yaml'), 'server:\n  port: 2\n');
    writeFileSync(path.join(cwd, 'flag.yaml'), 'server:\n  port: 3\n');
    expect(resolveIn(cwd).server.port).toBe(1);
    expect(resolveIn(cwd, { env: { KOS_CONFIG: 'env.yaml' } }).server.port).toBe(2);
    expect(
      resolveIn(cwd, { env: { KOS_CONFIG: 'env.yaml' }, flags: { configFile: 'flag.yaml' } }).server.port,
    ).toBe(3);
    expect(resolveIn(cwd, { file: 'flag.yaml', env: { KOS_CONFIG: 'env.yaml' } }).server.port).toBe(3);
  });

  it('reports a missing file that was named explicitly, with who named it', () => {
    const cwd = withFile();
    expect(problemsOf(() => resolveIn(cwd, { flags: { configFile: 'nope.yaml' } }))).toEqual([
      'config file "nope.yaml" (named by flag --config) does not exist',
    ]);
    expect(problemsOf(() => resolveIn(cwd, { env: { KOS_CONFIG: 'gone.yaml' } }))).toEqual([
      'config file "gone.yaml" (named by env KOS_CONFIG) does not exist',
    ]);
  });

  it('reports malformed YAML with its line and column', () => {
    expect(problemsOf(() => resolveIn(withFile('server:\n  port: 1\nserver:\n  port: 2\n')))).toEqual([
      'kos.yaml: malformed YAML at line 3, column 1: Map keys must be unique',
    ]);
    const problems = problemsOf(() => resolveIn(withFile('server:\n  port: 1\n   host: [x\n')));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^kos\.yaml: malformed YAML at line 2, column 9: .+/);
  });

  it('reports a file that is not a mapping and a section that is not one', () => {
    expect(problemsOf(() => resolveIn(withFile('- a\n- b\n')))).toEqual([
      'kos.yaml: must be a mapping of configuration keys (got ["a","b"])',
    ]);
    expect(problemsOf(() => resolveIn(withFile('retry: 3\n')))).toEqual([
      'retry: must be a mapping of keys (got 3 from kos.yaml)',
    ]);
  });

  it('reports a key set both at the top level and under orchestrator:', () => {
    expect(problemsOf(() => resolveIn(withFile('store: sqlite\norchestrator:\n  store: sqlite\n')))).toEqual([
      'store: set both at the top level and under orchestrator: in kos.yaml; keep one',
    ]);
  });
});

describe('resolveConfig paths', () => {
  it('resolves data_dir and templates_dir from the file against the file directory', () => {
    const cwd = tempDir();
    const confDir = path.join(cwd, 'conf');
    const file = path.join(confDir, 'kos.yaml');
    mkdirSync(confDir, { recursive: true });
    writeFileSync(file, 'data_dir: ./state\ntemplates_dir: ../templates\n');
    const config = resolveIn(cwd, { flags: { configFile: 'conf/kos.yaml' } });
    expect(config.dataDir).toBe(path.join(confDir, 'state'));
    expect(config.templatesDir).toBe(path.join(cwd, 'templates'));
  });

  it('resolves data_dir from the environment or a flag against the cwd', () => {
    const cwd = withFile('data_dir: ./from-file\n');
    expect(resolveIn(cwd, { env: { KOS_DATA_DIR: 'env-dir' } }).dataDir).toBe(path.join(cwd, 'env-dir'));
    expect(resolveIn(cwd, { flags: { dataDir: '/abs/dir' } }).dataDir).toBe('/abs/dir');
  });

  it('reads a2a.agents as a list of remotes, token files against the file directory, and refuses a bad entry', () => {
    const cwd = withFile(
      'a2a:\n  agents:\n    - url: https://r.example/.well-known/agent-card.json\n' +
        '    - url: http://10.0.0.5:9000/card\n      name: local\n      token_file: secrets/local.token\n',
    );
    expect(resolveIn(cwd).a2a.agents).toEqual([
      { url: 'https://r.example/.well-known/agent-card.json', name: null, tokenFile: null },
      { url: 'http://10.0.0.5:9000/card', name: 'local', tokenFile: path.join(cwd, 'secrets/local.token') },
    ]);
    for (const bad of [
      'a2a:\n  agents: https://x/card\n',
      'a2a:\n  agents:\n    - url: ftp://x/card\n',
      'a2a:\n  agents:\n    - url: https://x/card\n      tokn: t\n',
    ]) {
      expect(problemsOf(() => resolveIn(withFile(bad)))).toEqual([
        expect.stringContaining('a2a.agents: must be a list of {url, name?, token_file?}'),
      ]);
    }
  });
});
