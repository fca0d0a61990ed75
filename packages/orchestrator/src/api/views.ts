import type { Agent } from '../registry/agent.ts';
import type { Goal } from '../scheduler/goal.ts';
import type { Task } from '../scheduler/task.ts';
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
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
    finished_at: iso(t.finishedAt),
  };
}

export function leaseView(t: Task) {
  return {
    subtask_uuid: t.id,
    goal_id: t.goalId,
    name: t.name,
    skills: t.skills,
    input: t.input,
    epoch: t.epoch,
    attempt: t.attempts,
    lease_expires_at: iso(t.leaseExpiresAt),
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
    created_at: iso(g.createdAt),
    updated_at: iso(g.updatedAt),
    finished_at: iso(g.finishedAt),
  };
}

export function agentView(a: Agent, activeLeases: number) {
  return {
    id: a.id,
    name: a.name,
    skills: a.skills,
    max_parallel: a.maxParallel,
    state: a.state,
    trust: Math.round(a.trust * 1000) / 1000,
    active_leases: activeLeases,
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
