import type { Config } from '../config/types.ts';

/**
 * Failure-handling policy of tasks and goals. Each task carries its policy resolved at submission
 * (configuration < template < task), so a later config change never alters work already accepted
 * and every verb decides from the task row alone.
 */

export type RetryPolicy = Config['retry'];

export interface TaskTimeouts {
  /** From ready to leased; expiry counts as a failed attempt. */
  scheduleToStartMs: number | null;
  /**
   * From leased to a result, never extended by heartbeats; expiry fails the attempt. Unless a
   * template or the task sets it (null: none), derived from the estimated duration
   * (`defaultStartToCloseMs`), so a stuck handler whose agent keeps heartbeating loses its lease.
   */
  startToCloseMs: number | null;
  /** Longest silence (heartbeat or progress) before the lease is revoked; null: leases.ttl_ms. */
  heartbeatMs: number | null;
}

export interface TaskPolicy {
  retry: RetryPolicy;
  timeouts: TaskTimeouts;
  approval: {
    /** Wait in awaiting_approval before the first run. */
    beforeRun: boolean;
    /** Instead of dying, wait in awaiting_approval: approve retries it, deny kills it. */
    onFailure: boolean;
  };
  /** After `afterAttempts` failed attempts, or when no primary agent exists, use these skills. */
  fallback: { skills: string[]; afterAttempts: number } | null;
  /** May run on agents below the trust threshold (their results are used). */
  experimental: boolean;
  /** At most `limit` tasks with this key are leased at once, across all goals. */
  concurrency: { key: string; limit: number } | null;
  /** `failed`: an on_failure branch, ready when a dependency dies and skipped when all succeed. */
  runWhen: 'succeeded' | 'failed';
}

export interface GoalPolicy {
  /** What a dead task does to the rest of the goal: end it, or only skip its dependents. */
  onTaskDeath: 'fail_fast' | 'continue';
  /** At most this many of the goal's tasks leased at once; null: no limit. */
  maxParallel: number | null;
  /** Share of a priority tier's slots relative to other goals in the same tier (≥ 1). */
  weight: number;
}

/** What a template or a submitted task may override; every field optional. */
export interface TaskPolicyOverrides {
  retry?: Partial<RetryPolicy> | undefined;
  timeouts?: Partial<TaskTimeouts> | undefined;
  approval?: Partial<TaskPolicy['approval']> | undefined;
  fallback?: TaskPolicy['fallback'] | undefined;
  experimental?: boolean | undefined;
  concurrency?: TaskPolicy['concurrency'] | undefined;
  runWhen?: TaskPolicy['runWhen'] | undefined;
}

export const DEFAULT_GOAL_POLICY: GoalPolicy = { onTaskDeath: 'fail_fast', maxParallel: null, weight: 1 };

/** The policy before any override: the configuration's defaults (retry, start-to-close bound). */
export function defaultTaskPolicy(retry: RetryPolicy, startToCloseMs: number | null = null): TaskPolicy {
  return {
    retry: { ...retry },
    timeouts: { scheduleToStartMs: null, startToCloseMs, heartbeatMs: null },
    approval: { beforeRun: false, onFailure: false },
    fallback: null,
    experimental: false,
    concurrency: null,
    runWhen: 'succeeded',
  };
}

/**
 * The start-to-close bound of a task whose policy sets none: `timeouts.start_to_close_factor` ×
 * its estimated duration, within [`start_to_close_min_ms`, `start_to_close_max_ms`]; null (no
 * bound) when the factor is 0.
 */
export function defaultStartToCloseMs(estimatedDurationMs: number, t: Config['timeouts']): number | null {
  if (t.startToCloseFactor === 0) return null;
  const bound = Math.ceil(t.startToCloseFactor * estimatedDurationMs);
  return Math.min(Math.max(bound, t.startToCloseMinMs), t.startToCloseMaxMs);
}

/**
 * The policy of a task of `estimatedDurationMs`: the configuration's defaults, then overrides in
 * order (e.g. template, then task); later ones win field by field.
 */
export function resolveTaskPolicy(
  config: Pick<Config, 'retry' | 'timeouts'>,
  estimatedDurationMs: number,
  ...layers: readonly (TaskPolicyOverrides | undefined)[]
): TaskPolicy {
  let p = defaultTaskPolicy(config.retry, defaultStartToCloseMs(estimatedDurationMs, config.timeouts));
  for (const o of layers) {
    if (!o) continue;
    p = {
      retry: { ...p.retry, ...defined(o.retry) },
      timeouts: { ...p.timeouts, ...defined(o.timeouts) },
      approval: { ...p.approval, ...defined(o.approval) },
      fallback: o.fallback === undefined ? p.fallback : o.fallback,
      experimental: o.experimental ?? p.experimental,
      concurrency: o.concurrency === undefined ? p.concurrency : o.concurrency,
      runWhen: o.runWhen ?? p.runWhen,
    };
  }
  return p;
}

/** The lease TTL of a task: its heartbeat timeout, or the configured default. */
export function leaseTtlMs(policy: TaskPolicy, defaultTtlMs: number): number {
  return policy.timeouts.heartbeatMs ?? defaultTtlMs;
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
