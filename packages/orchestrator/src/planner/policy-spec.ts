/**
 * A task's failure-handling policy as written by people: snake_case, every field optional, the
 * same shape in a template file (`policy:` on the template or on a task) and in a submitted DAG
 * (`policy` of a task spec). One TypeBox schema serves both: the API validates request bodies with
 * it, and template files are checked against it here, so the two never disagree.
 *
 * ```yaml
 * policy:
 *   retry: { max_attempts: 5, delay_strategy: exponential, base_delay_ms: 500, max_delay_ms: 60000, jitter: true }
 *   timeouts: { schedule_to_start_ms: 60000, start_to_close_ms: 600000, heartbeat_ms: 30000 }  # null: none
 *   approval: { before_run: false, on_failure: true }
 *   fallback: { skills: [manual_review], after_attempts: 2 }   # null: none
 *   experimental: false
 *   concurrency: { key: payments-api, limit: 2 }              # null: none
 *   run_when: failed                                          # succeeded (default) | failed
 * ```
 */
import { Ajv } from 'ajv';
import { KosError } from '@kos/protocol';
import { Type, type Static } from 'typebox';
import type { RetryPolicy, TaskPolicy, TaskPolicyOverrides, TaskTimeouts } from '../scheduler/policy.ts';

const strict = { additionalProperties: false } as const;
/** A year: longer durations are almost certainly a unit mistake. */
const MAX_MS = 365 * 24 * 3600 * 1000;
const Ms = Type.Integer({ minimum: 0, maximum: MAX_MS });
const Timeout = Type.Union([Type.Integer({ minimum: 1, maximum: MAX_MS }), Type.Null()]);
const Skill = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:/-]+$' });

export const PolicySpec = Type.Object(
  {
    retry: Type.Optional(
      Type.Object(
        {
          max_attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          delay_strategy: Type.Optional(Type.Union([Type.Literal('fixed'), Type.Literal('exponential')])),
          base_delay_ms: Type.Optional(Ms),
          max_delay_ms: Type.Optional(Ms),
          jitter: Type.Optional(Type.Boolean()),
        },
        strict,
      ),
    ),
    timeouts: Type.Optional(
      Type.Object(
        {
          schedule_to_start_ms: Type.Optional(Timeout),
          start_to_close_ms: Type.Optional(Timeout),
          heartbeat_ms: Type.Optional(Timeout),
        },
        strict,
      ),
    ),
    approval: Type.Optional(
      Type.Object(
        { before_run: Type.Optional(Type.Boolean()), on_failure: Type.Optional(Type.Boolean()) },
        strict,
      ),
    ),
    fallback: Type.Optional(
      Type.Union([
        Type.Object(
          {
            skills: Type.Array(Skill, { minItems: 1, maxItems: 64 }),
            after_attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          strict,
        ),
        Type.Null(),
      ]),
    ),
    experimental: Type.Optional(Type.Boolean()),
    concurrency: Type.Optional(
      Type.Union([
        Type.Object(
          {
            key: Type.String({ minLength: 1, maxLength: 200 }),
            limit: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
          },
          strict,
        ),
        Type.Null(),
      ]),
    ),
    run_when: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('failed')])),
  },
  strict,
);
export type PolicySpec = Static<typeof PolicySpec>;

/** Fallback skills are used after this many failed attempts when the spec does not say. */
export const DEFAULT_FALLBACK_AFTER_ATTEMPTS = 1;

/** What the schema cannot say: problems across fields, as sentences ([] when none). */
export function policyProblems(spec: PolicySpec): string[] {
  const problems: string[] = [];
  const r = spec.retry;
  if (r?.base_delay_ms !== undefined && r.max_delay_ms !== undefined && r.max_delay_ms < r.base_delay_ms) {
    problems.push(
      `retry.max_delay_ms (${r.max_delay_ms}) must be ≥ retry.base_delay_ms (${r.base_delay_ms}): it caps the delay`,
    );
  }
  return problems;
}

/** The spec as overrides of the resolved policy (camelCase, units in names). */
export function toOverrides(spec: PolicySpec): TaskPolicyOverrides {
  const { retry: r, timeouts: t, approval: a, fallback: f, concurrency: c } = spec;
  return {
    retry:
      r &&
      compact<RetryPolicy>({
        maxAttempts: r.max_attempts,
        delayStrategy: r.delay_strategy,
        baseDelayMs: r.base_delay_ms,
        maxDelayMs: r.max_delay_ms,
        jitter: r.jitter,
      }),
    timeouts:
      t &&
      compact<TaskTimeouts>({
        scheduleToStartMs: t.schedule_to_start_ms,
        startToCloseMs: t.start_to_close_ms,
        heartbeatMs: t.heartbeat_ms,
      }),
    approval: a && compact<TaskPolicy['approval']>({ beforeRun: a.before_run, onFailure: a.on_failure }),
    fallback:
      f === undefined
        ? undefined
        : f && { skills: [...f.skills], afterAttempts: f.after_attempts ?? DEFAULT_FALLBACK_AFTER_ATTEMPTS },
    experimental: spec.experimental,
    concurrency: c === undefined ? undefined : c && { key: c.key, limit: c.limit },
    runWhen: spec.run_when,
  };
}

/** A validated request's spec as overrides; KOS_ERR_VALIDATION for problems across fields. */
export function checkedOverrides(spec: PolicySpec, task: string): TaskPolicyOverrides {
  const problems = policyProblems(spec);
  if (problems.length > 0) {
    throw new KosError('KOS_ERR_VALIDATION', `Task "${task}": policy.${problems.join('; policy.')}.`, {
      task,
      field: 'policy',
      problems,
    });
  }
  return toOverrides(spec);
}

/** Layers overrides (e.g. template, then task) into one; later layers win field by field. */
export function mergeOverrides(
  ...layers: readonly (TaskPolicyOverrides | undefined)[]
): TaskPolicyOverrides | undefined {
  let merged: TaskPolicyOverrides | undefined;
  for (const o of layers) {
    if (!o) continue;
    const m: TaskPolicyOverrides = merged ?? {};
    merged = {
      retry: o.retry || m.retry ? { ...m.retry, ...defined(o.retry) } : undefined,
      timeouts: o.timeouts || m.timeouts ? { ...m.timeouts, ...defined(o.timeouts) } : undefined,
      approval: o.approval || m.approval ? { ...m.approval, ...defined(o.approval) } : undefined,
      fallback: o.fallback === undefined ? m.fallback : o.fallback,
      experimental: o.experimental ?? m.experimental,
      concurrency: o.concurrency === undefined ? m.concurrency : o.concurrency,
      runWhen: o.runWhen ?? m.runWhen,
    };
  }
  return merged;
}

/** The fields that are set: an override never sets a field to undefined. */
function compact<T extends object>(o: { [K in keyof T]: T[K] | undefined }): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  return o ? compact<T>(o) : {};
}

const checkSpec = new Ajv({ allErrors: true, strict: false }).compile(PolicySpec);

export type ParsedPolicy = { ok: true; overrides: TaskPolicyOverrides } | { ok: false; problems: string[] };

/** Checks a `policy:` mapping of a template file (`at` names it in problems) and compiles it. */
export function parsePolicySpec(raw: unknown, at: string): ParsedPolicy {
  if (!checkSpec(raw)) {
    const problems = (checkSpec.errors ?? []).map((e) => {
      const where = `${at}${e.instancePath.replaceAll('/', '.')}`;
      const allowed =
        e.keyword === 'additionalProperties'
          ? ` (unknown key ${String((e.params as { additionalProperty?: unknown }).additionalProperty)})`
          : '';
      return `${where} ${e.message ?? 'is invalid'}${allowed}`;
    });
    return { ok: false, problems: [...new Set(problems)] };
  }
  const spec = raw as PolicySpec;
  const problems = policyProblems(spec).map((p) => `${at}.${p}`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, overrides: toOverrides(spec) };
}
