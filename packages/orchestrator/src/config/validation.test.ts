import { describe, expect, it } from 'vitest';
import { problemsOf, resolveIn, withFile } from './test-helpers.ts';

describe('resolveConfig validation', () => {
  const cases: [string, string, string][] = [
    ['server:\n  port: 70000', 'server.port', 'must be an integer from 0 to 65535 (got 70000 from kos.yaml)'],
    ['server:\n  host: ""', 'server.host', 'must be a non-empty host name or address (got "" from kos.yaml)'],
    ['data_dir: 3', 'data_dir', 'must be a non-empty directory path (got 3 from kos.yaml)'],
    [
      'store: mysql://db',
      'store',
      'must be sqlite or a postgres:// / postgresql:// URL (got "mysql://db" from kos.yaml)',
    ],
    [
      'sqlite:\n  synchronous: OFF',
      'sqlite.synchronous',
      'must be one of FULL, NORMAL (got "OFF" from kos.yaml)',
    ],
    [
      'retry:\n  max_attempts: three',
      'retry.max_attempts',
      'must be an integer ≥ 1 (got "three" from kos.yaml)',
    ],
    ['retry:\n  max_attempts: 0', 'retry.max_attempts', 'must be an integer ≥ 1 (got 0 from kos.yaml)'],
    [
      'retry:\n  delay_strategy: linear',
      'retry.delay_strategy',
      'must be one of exponential, fixed (got "linear" from kos.yaml)',
    ],
    ['retry:\n  base_delay_ms: -1', 'retry.base_delay_ms', 'must be an integer ≥ 0 (got -1 from kos.yaml)'],
    ['retry:\n  max_delay_ms: 1.5', 'retry.max_delay_ms', 'must be an integer ≥ 0 (got 1.5 from kos.yaml)'],
    ['retry:\n  jitter: maybe', 'retry.jitter', 'must be true or false (got "maybe" from kos.yaml)'],
    [
      'policies:\n  fallback_on_error: 2',
      'policies.fallback_on_error',
      'must be true or false (got 2 from kos.yaml)',
    ],
    [
      'policies:\n  allow_cross_agent: []',
      'policies.allow_cross_agent',
      'must be true or false (got [] from kos.yaml)',
    ],
    [
      'policies:\n  max_parallel_tasks: 0',
      'policies.max_parallel_tasks',
      'must be an integer ≥ 1 (got 0 from kos.yaml)',
    ],
    [
      'security:\n  trust_threshold: 1.5',
      'security.trust_threshold',
      'must be a number from 0 to 1 (got 1.5 from kos.yaml)',
    ],
    [
      'security:\n  audit_all_actions: null',
      'security.audit_all_actions',
      'must be true or false (got null from kos.yaml)',
    ],
    [
      'security:\n  sandbox_required: strict',
      'security.sandbox_required',
      'must be true or false (got "strict" from kos.yaml)',
    ],
    [
      'default_policy:\n  resource_limits:\n    cpu: 0',
      'default_policy.resource_limits.cpu',
      'must be a number > 0 (got 0 from kos.yaml)',
    ],
    [
      'default_policy:\n  resource_limits:\n    memory: lots',
      'default_policy.resource_limits.memory',
      'must be a size such as 512MB or 1GB (got "lots" from kos.yaml)',
    ],
    [
      'default_policy:\n  resource_limits:\n    disk: -1GB',
      'default_policy.resource_limits.disk',
      'must be a size such as 512MB or 1GB (got "-1GB" from kos.yaml)',
    ],
    [
      'default_policy:\n  lifecycle:\n    max_crashes: 0',
      'default_policy.lifecycle.max_crashes',
      'must be an integer ≥ 1 (got 0 from kos.yaml)',
    ],
    [
      'default_policy:\n  lifecycle:\n    auto_restart: sometimes',
      'default_policy.lifecycle.auto_restart',
      'must be true or false (got "sometimes" from kos.yaml)',
    ],
    [
      'default_policy:\n  lifecycle:\n    quarantine_threshold: many',
      'default_policy.lifecycle.quarantine_threshold',
      'must be an integer ≥ 1 (got "many" from kos.yaml)',
    ],
    [
      'default_policy:\n  security:\n    sandbox_level: paranoid',
      'default_policy.security.sandbox_level',
      'must be one of none, standard, strict (got "paranoid" from kos.yaml)',
    ],
    [
      'default_policy:\n  security:\n    crypto_required: 1.5',
      'default_policy.security.crypto_required',
      'must be true or false (got 1.5 from kos.yaml)',
    ],
    ['leases:\n  ttl_ms: 0', 'leases.ttl_ms', 'must be an integer ≥ 1 (got 0 from kos.yaml)'],
    ['heartbeat:\n  ttl_ms: soon', 'heartbeat.ttl_ms', 'must be an integer ≥ 1 (got "soon" from kos.yaml)'],
    [
      'heartbeat:\n  sweep_interval_ms: 0',
      'heartbeat.sweep_interval_ms',
      'must be an integer ≥ 1 (got 0 from kos.yaml)',
    ],
    [
      'timeouts:\n  start_to_close_factor: -1',
      'timeouts.start_to_close_factor',
      'must be a number from 0 to 1000 (got -1 from kos.yaml)',
    ],
    [
      'timeouts:\n  start_to_close_min_ms: 0',
      'timeouts.start_to_close_min_ms',
      'must be an integer ≥ 1 (got 0 from kos.yaml)',
    ],
    [
      'scheduler:\n  auto_assign: on',
      'scheduler.auto_assign',
      'must be true or false (got "on" from kos.yaml)',
    ],
    [
      'scheduler:\n  aging_step_ms: 0',
      'scheduler.aging_step_ms',
      'must be an integer ≥ 1 (got 0 from kos.yaml)',
    ],
    [
      'scheduler:\n  round_limit: -5',
      'scheduler.round_limit',
      'must be an integer ≥ 1 (got -5 from kos.yaml)',
    ],
    [
      'limits:\n  max_body_bytes: 1kb',
      'limits.max_body_bytes',
      'must be an integer ≥ 1 (got "1kb" from kos.yaml)',
    ],
    [
      'limits:\n  max_tasks_per_goal: 0',
      'limits.max_tasks_per_goal',
      'must be an integer ≥ 1 (got 0 from kos.yaml)',
    ],
    ['limits:\n  max_goal_chars: 0', 'limits.max_goal_chars', 'must be an integer ≥ 1 (got 0 from kos.yaml)'],
    [
      'limits:\n  max_skills_per_entity: 0',
      'limits.max_skills_per_entity',
      'must be an integer ≥ 1 (got 0 from kos.yaml)',
    ],
    [
      'limits:\n  max_input_bytes: 0',
      'limits.max_input_bytes',
      'must be an integer ≥ 1 (got 0 from kos.yaml)',
    ],
    [
      'limits:\n  max_result_bytes: 0',
      'limits.max_result_bytes',
      'must be an integer ≥ 1 (got 0 from kos.yaml)',
    ],
    ['templates_dir: 7', 'templates_dir', 'must be a directory path or null (got 7 from kos.yaml)'],
    [
      'log:\n  level: loud',
      'log.level',
      'must be one of fatal, error, warn, info, debug, trace, silent (got "loud" from kos.yaml)',
    ],
    ['log:\n  format: fancy', 'log.format', 'must be one of auto, json, pretty (got "fancy" from kos.yaml)'],
  ];

  it.each(cases)('reports %j as one problem naming its key, value and source', (yaml, key, message) => {
    expect(problemsOf(() => resolveIn(withFile(`${yaml}\n`)))).toEqual([`${key}: ${message}`]);
  });

  it('reports every bad value at once', () => {
    const problems = problemsOf(() =>
      resolveIn(
        withFile(
          'retry:\n  max_attempts: three\n  jitter: maybe\nlimits:\n  max_body_bytes: 0\nlog:\n  level: loud\n',
        ),
        {
          env: { KOS_PORT: 'http' },
          flags: { store: 'redis://x' },
        },
      ),
    );
    expect(problems).toEqual([
      'server.port: must be an integer from 0 to 65535 (got "http" from env KOS_PORT)',
      'store: must be sqlite or a postgres:// / postgresql:// URL (got "redis://x" from flag --store)',
      'retry.max_attempts: must be an integer ≥ 1 (got "three" from kos.yaml)',
      'retry.jitter: must be true or false (got "maybe" from kos.yaml)',
      'limits.max_body_bytes: must be an integer ≥ 1 (got 0 from kos.yaml)',
      'log.level: must be one of fatal, error, warn, info, debug, trace, silent (got "loud" from kos.yaml)',
    ]);
  });

  it('reports a bad file value even when the environment overrides it', () => {
    expect(problemsOf(() => resolveIn(withFile('server:\n  port: x\n'), { env: { KOS_PORT: '1' } }))).toEqual(
      ['server.port: must be an integer from 0 to 65535 (got "x" from kos.yaml)'],
    );
  });

  it('parses numbers and booleans from environment and flag strings', () => {
    const config = resolveIn(withFile('retry:\n  jitter: "false"\n'), { env: { KOS_PORT: ' 9000 ' } });
    expect(config.server.port).toBe(9000);
    expect(config.retry.jitter).toBe(false);
  });

  it('masks the password of a rejected store URL', () => {
    expect(
      problemsOf(() => resolveIn(withFile(), { env: { KOS_STORE: 'mysql://kos:hunter2@db/kos' } })),
    ).toEqual([
      'store: must be sqlite or a postgres:// / postgresql:// URL (got "mysql://kos:***@db/kos" from env KOS_STORE)',
    ]);
  });

  it('names unknown keys and suggests the closest known one', () => {
    const yaml = 'retry:\n  max_attemps: 3\nretyr: {}\nmax_parallel_tasks: 2\nfrobnicate: 1\n';
    expect(problemsOf(() => resolveIn(withFile(yaml)))).toEqual([
      'unknown key retry.max_attemps in kos.yaml — did you mean retry.max_attempts?',
      'unknown key retyr in kos.yaml — did you mean retry?',
      'unknown key max_parallel_tasks in kos.yaml — did you mean policies.max_parallel_tasks?',
      'unknown key frobnicate in kos.yaml',
    ]);
  });

  it('names unknown and misshapen keys nested more than one section deep', () => {
    const yaml = 'default_policy:\n  lifecycle:\n    max_crash: 3\n  resource_limits: 3\n  limits: {}\n';
    expect(problemsOf(() => resolveIn(withFile(yaml)))).toEqual([
      'unknown key default_policy.lifecycle.max_crash in kos.yaml — did you mean default_policy.lifecycle.max_crashes?',
      'default_policy.resource_limits: must be a mapping of keys (got 3 from kos.yaml)',
      'unknown key default_policy.limits in kos.yaml',
    ]);
  });

  it('checks that the heartbeat TTL exceeds the sweep interval', () => {
    expect(
      problemsOf(() => resolveIn(withFile('heartbeat:\n  ttl_ms: 1000\n  sweep_interval_ms: 1000\n'))),
    ).toEqual([
      'heartbeat.ttl_ms: must be greater than heartbeat.sweep_interval_ms so silent agents are found within their TTL plus one sweep (got 1000 from kos.yaml and 1000 from kos.yaml)',
    ]);
  });

  it('checks that the lease TTL is at least the heartbeat TTL', () => {
    expect(problemsOf(() => resolveIn(withFile('leases:\n  ttl_ms: 10000\n')))).toEqual([
      'leases.ttl_ms: must be at least heartbeat.ttl_ms so a live agent keeps its lease between heartbeats (got 10000 from kos.yaml and 15000 from the default)',
    ]);
  });

  it('checks that the maximum retry delay is at least the base delay', () => {
    expect(
      problemsOf(() => resolveIn(withFile('retry:\n  base_delay_ms: 500\n  max_delay_ms: 100\n'))),
    ).toEqual([
      'retry.max_delay_ms: must be at least retry.base_delay_ms as the cap of the retry delay (got 100 from kos.yaml and 500 from kos.yaml)',
    ]);
  });

  it('checks that the cap of the default start-to-close bound is at least its floor', () => {
    expect(problemsOf(() => resolveIn(withFile('timeouts:\n  start_to_close_max_ms: 60000\n')))).toEqual([
      'timeouts.start_to_close_max_ms: must be at least timeouts.start_to_close_min_ms as the cap of the default start-to-close bound (got 60000 from kos.yaml and 300000 from the default)',
    ]);
  });

  it('checks that neutral trust is at least the trust threshold', () => {
    expect(problemsOf(() => resolveIn(withFile('security:\n  trust_threshold: 0.9\n')))).toEqual([
      'security.trust_neutral: must be at least security.trust_threshold so an idle agent is not demoted to experimental work by time alone (got 0.8 from the default and 0.9 from kos.yaml)',
    ]);
  });

  it('skips relation checks on a value already reported as invalid', () => {
    expect(
      problemsOf(() => resolveIn(withFile('heartbeat:\n  sweep_interval_ms: x\n  ttl_ms: 1\n'))),
    ).toEqual(['heartbeat.sweep_interval_ms: must be an integer ≥ 1 (got "x" from kos.yaml)']);
  });

  it('reports an unknown alias, an alias bomb and an absurd indentation as malformed YAML', () => {
    const bomb =
      'a: &a [1,2]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c]\n';
    const deep = 'a:\n' + Array.from({ length: 3000 }, (_, i) => ' '.repeat(i + 1) + '- ').join('\n');
    for (const yaml of ['*nope', bomb, deep]) {
      const [problem, ...more] = problemsOf(() => resolveIn(withFile(yaml)));
      expect(problem).toMatch(/^kos\.yaml: malformed YAML: /);
      expect(more).toEqual([]);
    }
  });
});
