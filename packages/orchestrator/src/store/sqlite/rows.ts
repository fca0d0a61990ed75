import type { Priority } from '@kos/protocol';
import {
  newAgentHealth,
  type Agent,
  type AgentHealth,
  type AgentState,
  type SkillStats,
} from '../../registry/agent.ts';
import type { Goal, GoalPlanning, GoalState } from '../../scheduler/goal.ts';
import {
  DEFAULT_GOAL_POLICY,
  defaultTaskPolicy,
  type GoalPolicy,
  type TaskPolicy,
} from '../../scheduler/policy.ts';
import type {
  Delegation,
  HeldBackCode,
  Task,
  TaskError,
  TaskState,
  TaskWaiting,
} from '../../scheduler/task.ts';
import type { EventKind, EventRecord, NewEvent, TokenRecord, TokenRole } from '../records.ts';

/**
 * Rows as SQLite stores them and their mapping to domain records. Column values are trusted to be
 * what the writer put there (only this module writes them), hence the casts to the unions.
 */

export interface AgentRow {
  id: string;
  name: string;
  skills: string;
  max_parallel: number;
  state: string;
  trust: number;
  stats: string;
  last_heartbeat_at: number;
  public_key: string | null;
  last_assigned_at: number;
  health: string;
  registered_at: number;
  updated_at: number;
}

export interface GoalRow {
  id: string;
  goal: string;
  context: string;
  template: string;
  priority: string;
  state: string;
  task_count: number;
  succeeded_count: number;
  dead_count: number;
  skipped_count: number;
  policy: string;
  /** JSON of GoalPlanning, or null (migration 9). */
  planning: string | null;
  submitted_by: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface TaskRow {
  id: string;
  goal_id: string;
  name: string;
  skills: string;
  priority: string;
  estimated_duration_ms: number;
  depends_on: string;
  pending_deps: number;
  input: string;
  state: string;
  attempts: number;
  max_attempts: number;
  epoch: number;
  agent_id: string | null;
  lease_expires_at: number | null;
  leased_at: number | null;
  available_at: number;
  ready_key: number;
  last_agent_id: string | null;
  progress: number | null;
  checkpoint: string;
  result: string;
  error: string | null;
  policy: string;
  deadline_at: number | null;
  delegations: string;
  waiting_code: string | null;
  waiting_message: string | null;
  waiting_since: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface EventRow {
  seq: number;
  at: number;
  kind: string;
  goal_id: string | null;
  task_id: string | null;
  agent_id: string | null;
  actor: string;
  data: string;
}

export interface TokenRow {
  id: string;
  hash: string;
  role: string;
  agent_name: string | null;
  label: string;
  created_at: number;
  revoked_at: number | null;
  expires_at: number | null;
}

export type NewEventRow = Omit<EventRow, 'seq'>;

/** JSON text for a JSON value; `undefined` is stored as `null` (JSON has no undefined). */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/**
 * Rows written before migration 3 hold `null` policies and health: they read as the defaults
 * (the built-in retry defaults for tasks, since the configuration of that time is not known).
 */
const LEGACY_RETRY: TaskPolicy['retry'] = {
  maxAttempts: 3,
  delayStrategy: 'exponential',
  baseDelayMs: 200,
  maxDelayMs: 30_000,
  jitter: true,
};

export function toAgent(r: AgentRow): Agent {
  return {
    id: r.id,
    name: r.name,
    skills: JSON.parse(r.skills) as string[],
    maxParallel: r.max_parallel,
    state: r.state as AgentState,
    trust: r.trust,
    stats: JSON.parse(r.stats) as Record<string, SkillStats>,
    lastHeartbeatAt: r.last_heartbeat_at,
    publicKey: r.public_key,
    lastAssignedAt: r.last_assigned_at,
    health: (JSON.parse(r.health) as AgentHealth | null) ?? newAgentHealth(r.updated_at),
    registeredAt: r.registered_at,
    updatedAt: r.updated_at,
  };
}

export function fromAgent(a: Agent): AgentRow {
  return {
    id: a.id,
    name: a.name,
    skills: toJson(a.skills),
    max_parallel: a.maxParallel,
    state: a.state,
    trust: a.trust,
    stats: toJson(a.stats),
    last_heartbeat_at: a.lastHeartbeatAt,
    public_key: a.publicKey,
    last_assigned_at: a.lastAssignedAt,
    health: toJson(a.health),
    registered_at: a.registeredAt,
    updated_at: a.updatedAt,
  };
}

/** A goal's policy column; goals stored before policies existed have the default. */
export function toGoalPolicy(policy: string): GoalPolicy {
  return (JSON.parse(policy) as GoalPolicy | null) ?? DEFAULT_GOAL_POLICY;
}

export function toGoal(r: GoalRow): Goal {
  return {
    id: r.id,
    goal: r.goal,
    context: r.context,
    template: r.template,
    priority: r.priority as Priority,
    state: r.state as GoalState,
    taskCount: r.task_count,
    succeededCount: r.succeeded_count,
    deadCount: r.dead_count,
    skippedCount: r.skipped_count,
    policy: toGoalPolicy(r.policy),
    planning: r.planning === null ? null : (JSON.parse(r.planning) as GoalPlanning),
    submittedBy: r.submitted_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

export function fromGoal(g: Goal): GoalRow {
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
    policy: toJson(g.policy),
    planning: g.planning === null ? null : toJson(g.planning),
    submitted_by: g.submittedBy,
    created_at: g.createdAt,
    updated_at: g.updatedAt,
    finished_at: g.finishedAt,
  };
}

export function toTask(r: TaskRow): Task {
  return {
    id: r.id,
    goalId: r.goal_id,
    name: r.name,
    skills: JSON.parse(r.skills) as string[],
    priority: r.priority as Priority,
    estimatedDurationMs: r.estimated_duration_ms,
    dependsOn: JSON.parse(r.depends_on) as string[],
    pendingDeps: r.pending_deps,
    input: JSON.parse(r.input) as unknown,
    state: r.state as TaskState,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    epoch: r.epoch,
    agentId: r.agent_id,
    leaseExpiresAt: r.lease_expires_at,
    leasedAt: r.leased_at,
    availableAt: r.available_at,
    readyKey: r.ready_key,
    lastAgentId: r.last_agent_id,
    progress: r.progress,
    checkpoint: JSON.parse(r.checkpoint) as unknown,
    result: JSON.parse(r.result) as unknown,
    error: r.error === null ? null : (JSON.parse(r.error) as TaskError),
    policy: (JSON.parse(r.policy) as TaskPolicy | null) ?? defaultTaskPolicy(LEGACY_RETRY),
    deadlineAt: r.deadline_at,
    delegations: JSON.parse(r.delegations) as Delegation[],
    waiting: toWaiting(r),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

export type WaitingColumns = Pick<TaskRow, 'waiting_code' | 'waiting_message' | 'waiting_since'>;

function toWaiting(r: WaitingColumns): TaskWaiting | null {
  if (r.waiting_code === null) return null;
  return {
    code: r.waiting_code as HeldBackCode,
    message: r.waiting_message ?? '',
    since: r.waiting_since ?? 0,
  };
}

export function fromWaiting(w: TaskWaiting | null): WaitingColumns {
  return w === null
    ? { waiting_code: null, waiting_message: null, waiting_since: null }
    : { waiting_code: w.code, waiting_message: w.message, waiting_since: w.since };
}

export function fromTask(t: Task): TaskRow {
  return {
    id: t.id,
    goal_id: t.goalId,
    name: t.name,
    skills: toJson(t.skills),
    priority: t.priority,
    estimated_duration_ms: t.estimatedDurationMs,
    depends_on: toJson(t.dependsOn),
    pending_deps: t.pendingDeps,
    input: toJson(t.input),
    state: t.state,
    attempts: t.attempts,
    max_attempts: t.maxAttempts,
    epoch: t.epoch,
    agent_id: t.agentId,
    lease_expires_at: t.leaseExpiresAt,
    leased_at: t.leasedAt,
    available_at: t.availableAt,
    ready_key: t.readyKey,
    last_agent_id: t.lastAgentId,
    progress: t.progress,
    checkpoint: toJson(t.checkpoint),
    result: toJson(t.result),
    error: t.error === null ? null : toJson(t.error),
    policy: toJson(t.policy),
    deadline_at: t.deadlineAt,
    delegations: toJson(t.delegations),
    ...fromWaiting(t.waiting),
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    finished_at: t.finishedAt,
  };
}

export function toEvent(r: EventRow): EventRecord {
  return {
    seq: r.seq,
    at: r.at,
    kind: r.kind as EventKind,
    goalId: r.goal_id,
    taskId: r.task_id,
    agentId: r.agent_id,
    actor: r.actor,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}

export function fromNewEvent(e: NewEvent): NewEventRow {
  return {
    at: e.at,
    kind: e.kind,
    goal_id: e.goalId,
    task_id: e.taskId,
    agent_id: e.agentId,
    actor: e.actor,
    data: toJson(e.data),
  };
}

export function toToken(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    hash: r.hash,
    role: r.role as TokenRole,
    agentName: r.agent_name,
    label: r.label,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    expiresAt: r.expires_at,
  };
}

export function fromToken(t: TokenRecord): TokenRow {
  return {
    id: t.id,
    hash: t.hash,
    role: t.role,
    agent_name: t.agentName,
    label: t.label,
    created_at: t.createdAt,
    revoked_at: t.revokedAt,
    expires_at: t.expiresAt,
  };
}
