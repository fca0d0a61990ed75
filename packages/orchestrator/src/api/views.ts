import type { Agent } from '../registry/agent.ts';
import { trustNow, type HealthConfig } from '../registry/health.ts';
import { breakerAt } from '../scheduler/breaker.ts';
import type { Kpis } from '../app/kpis.ts';
import type { Feasibility } from '../planner/index.ts';
import { TIER_FALLBACK_ONLY } from '../scheduler/score.ts';
import type { Tensor } from '../scheduler/tensor.ts';
import type { Goal } from '../scheduler/goal.ts';
import { leaseSkills } from '../scheduler/fallback.ts';
import type { TaskPolicy } from '../scheduler/policy.ts';
import type { Task } from '../scheduler/task.ts';
import { waitingReason } from '../scheduler/waiting.ts';
import type { EventRecord } from '../store/records.ts';

/** Domain records → the API's JSON (snake_case, ISO times), in one place. */

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function taskView(t: Task) {
  return {
    id: t.id,
    goal_id: t.goalId,
    name: t.name,
    skills: t.skills,
    priority: t.priority,
    estimated_duration_ms: t.estimatedDurationMs,
    depends_on: t.dependsOn,
    state: t.state,
    attempts: t.attempts,
    max_attempts: t.maxAttempts,
    epoch: t.epoch,
    agent_id: t.agentId,
    lease_expires_at: iso(t.leaseExpiresAt),
    available_at: iso(t.availableAt),
    input: t.input,
    result: t.result,
    error: t.error,
    // The holder's latest progress (0–100), from STATUS_UPDATE or pulse frames; kept after the lease.
    progress: t.progress,
    policy: policyView(t.policy),
    deadline_at: iso(t.deadlineAt),
    // Why it waits (docs/scheduling.md#why-a-task-waits); null when it does not.
    waiting_reason: waitingView(t),
    // Who declined or delegated the task, oldest first (docs/cancellation-and-delegation.md).
    delegations: t.delegations.map((d) => ({
      agent_id: d.agentId,
      action: d.action,
      reason: d.reason,
      to: d.to,
      at: iso(d.at),
    })),
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
    finished_at: iso(t.finishedAt),
  };
}

function waitingView(t: Task) {
  const w = waitingReason(t);
  return w && { code: w.code, message: w.message, since: iso(w.since) };
}

/** A task's resolved failure-handling policy, in the request's snake_case. */
export function policyView(p: TaskPolicy) {
  return {
    retry: {
      max_attempts: p.retry.maxAttempts,
      delay_strategy: p.retry.delayStrategy,
      base_delay_ms: p.retry.baseDelayMs,
      max_delay_ms: p.retry.maxDelayMs,
      jitter: p.retry.jitter,
    },
    timeouts: {
      schedule_to_start_ms: p.timeouts.scheduleToStartMs,
      start_to_close_ms: p.timeouts.startToCloseMs,
      heartbeat_ms: p.timeouts.heartbeatMs,
    },
    approval: { before_run: p.approval.beforeRun, on_failure: p.approval.onFailure },
    fallback: p.fallback && { skills: p.fallback.skills, after_attempts: p.fallback.afterAttempts },
    experimental: p.experimental,
    concurrency: p.concurrency,
    run_when: p.runWhen,
  };
}

/** A lease as its holder sees it; with the holder's skills, `skills` are those it should use (fallback). */
export function leaseView(t: Task, holderSkills?: readonly string[]) {
  return {
    subtask_uuid: t.id,
    goal_id: t.goalId,
    name: t.name,
    skills: holderSkills === undefined ? t.skills : leaseSkills(t, holderSkills),
    input: t.input,
    epoch: t.epoch,
    attempt: t.attempts,
    lease_expires_at: iso(t.leaseExpiresAt),
  };
}

export function feasibilityView(f: Feasibility) {
  return {
    feasible: f.feasible,
    missing_skills: f.missingSkills.map((m) => ({ skill: m.skill, tasks: m.tasks })),
  };
}

export function goalView(g: Goal) {
  return {
    id: g.id,
    goal: g.goal,
    context: g.context,
    template: g.template,
    priority: g.priority,
    state: g.state,
    task_count: g.taskCount,
    succeeded_count: g.succeededCount,
    dead_count: g.deadCount,
    skipped_count: g.skippedCount,
    policy: {
      on_task_death: g.policy.onTaskDeath,
      max_parallel_tasks: g.policy.maxParallel,
      weight: g.policy.weight,
    },
    created_at: iso(g.createdAt),
    updated_at: iso(g.updatedAt),
    finished_at: iso(g.finishedAt),
  };
}

/** An agent as of `now`: trust decayed to now, breakers past their cool-down shown half-open. */
export function agentView(a: Agent, activeLeases: number, now: number, cfg: HealthConfig) {
  return {
    id: a.id,
    name: a.name,
    skills: a.skills,
    max_parallel: a.maxParallel,
    state: a.state,
    trust: Math.round(trustNow(a, now, cfg) * 1000) / 1000,
    active_leases: activeLeases,
    health: healthView(a, now, cfg),
    stats: Object.fromEntries(
      Object.entries(a.stats).map(([k, s]) => [
        k,
        { succeeded: s.succeeded, failed: s.failed, total_ms: s.totalMs },
      ]),
    ),
    last_heartbeat_at: iso(a.lastHeartbeatAt),
    registered_at: iso(a.registeredAt),
  };
}

function healthView(a: Agent, now: number, cfg: HealthConfig) {
  const h = a.health;
  return {
    consecutive_failures: h.consecutiveFailures,
    crashes: h.crashes,
    breakers: Object.fromEntries(
      Object.entries(h.breakers).map(([key, stored]) => {
        const b = breakerAt(stored, now, cfg.breaker);
        return [key, { state: b.state, failures: b.failures, opened_at: iso(b.openedAt), probes: b.probes }];
      }),
    ),
    quarantine: h.quarantine && {
      reason: h.quarantine.reason,
      at: iso(h.quarantine.at),
      by: h.quarantine.by,
    },
  };
}

export function eventView(e: EventRecord) {
  return {
    seq: e.seq,
    at: iso(e.at),
    kind: e.kind,
    goal_id: e.goalId,
    task_id: e.taskId,
    agent_id: e.agentId,
    actor: e.actor,
    data: e.data,
  };
}

/** Why each non-zero cell of the tensor has its value: [task index, agent index, reason]. */
export function tensorExplanations(tensor: Tensor) {
  const { entries } = tensor.sparse();
  return tensor.explain().map((e, n) => {
    const [i = 0, j = 0] = entries[n] ?? [];
    const p = e.parts;
    return [
      i,
      j,
      {
        free_ratio: p?.freeRatio ?? null,
        trust: p?.trust ?? null,
        history: p?.history ?? null,
        fallback_only: p === null ? null : (p.tier & TIER_FALLBACK_ONLY) !== 0,
        explanation: e.explanation,
      },
    ] as const;
  });
}

export function kpisView(k: Kpis) {
  const ms = (v: number | null) => (v === null ? null : Math.round(v));
  const rate = (v: number) => Math.round(v * 1000) / 1000;
  return {
    window_ms: k.windowMs,
    bucket_ms: k.bucketMs,
    buckets: k.buckets.map((b) => ({
      start: iso(b.start),
      succeeded: b.succeeded,
      failed: b.failed,
      dead: b.dead,
      retries: b.retries,
      throughput_per_s: rate(b.throughputPerS),
      response_p50_ms: ms(b.responseP50Ms),
      response_p95_ms: ms(b.responseP95Ms),
    })),
    totals: {
      success_rate: k.totals.successRate === null ? null : rate(k.totals.successRate),
      response_p50_ms: ms(k.totals.responseP50Ms),
      response_p95_ms: ms(k.totals.responseP95Ms),
      throughput_per_s: rate(k.totals.throughputPerS),
      retries: k.totals.retries,
      lost_agents: k.totals.agentsLost,
    },
    reliability: {
      uptime_s: Math.round(k.uptimeMs / 1000),
      agents_lost: k.totals.agentsLost,
      agents_quarantined: k.totals.agentsQuarantined,
      retries: k.totals.retries,
    },
    queue_depth: k.queueDepth,
  };
}
