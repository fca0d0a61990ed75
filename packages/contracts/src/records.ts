import { Type, type Static } from 'typebox';
import { Count, Iso, Json, JsonObject, Nullable, closed } from './fields.ts';
import {
  AgentState,
  BreakerState,
  EventKind,
  GoalState,
  Priority,
  TaskState,
  WaitingCode,
} from './states.ts';

/**
 * The records the API answers with (docs/api.md, "Shapes"), as the orchestrator's api/views.ts
 * renders them: snake_case, times as ISO strings, durations in milliseconds.
 */

/** A task's resolved failure-handling policy (docs/failure-handling.md). */
export const WirePolicy = Type.Object(
  {
    retry: Type.Object(
      {
        max_attempts: Count,
        delay_strategy: Type.Union([Type.Literal('fixed'), Type.Literal('exponential')]),
        base_delay_ms: Count,
        max_delay_ms: Count,
        jitter: Type.Boolean(),
      },
      closed,
    ),
    /** null: no such timeout. */
    timeouts: Type.Object(
      {
        schedule_to_start_ms: Nullable(Count),
        start_to_close_ms: Nullable(Count),
        heartbeat_ms: Nullable(Count),
      },
      closed,
    ),
    approval: Type.Object({ before_run: Type.Boolean(), on_failure: Type.Boolean() }, closed),
    fallback: Nullable(Type.Object({ skills: Type.Array(Type.String()), after_attempts: Count }, closed)),
    experimental: Type.Boolean(),
    concurrency: Nullable(Type.Object({ key: Type.String(), limit: Type.Integer({ minimum: 1 }) }, closed)),
    run_when: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  },
  closed,
);
export type WirePolicy = Static<typeof WirePolicy>;

/** Why an attempt failed; skipped tasks carry code `skipped.<why>`. */
export const TaskError = Type.Object(
  { code: Type.String(), message: Type.String(), retryable: Type.Boolean() },
  closed,
);
export type TaskError = Static<typeof TaskError>;

/** Why a task waits (docs/scheduling.md#why-a-task-waits). */
export const WaitingReason = Type.Object(
  {
    code: WaitingCode,
    /** For a person: "no active agent has skill gpu". */
    message: Type.String(),
    /** When a round first gave the reason; null for the reasons a state gives. */
    since: Nullable(Iso),
  },
  closed,
);
export type WaitingReason = Static<typeof WaitingReason>;

/** An agent declined the task or handed it on (docs/cancellation-and-delegation.md). */
export const Delegation = Type.Object(
  {
    agent_id: Type.String(),
    action: Type.Union([Type.Literal('declined'), Type.Literal('delegated')]),
    reason: Type.String(),
    /** For `delegated`: the agent (id or name) it asked to take over, if it named one. */
    to: Nullable(Type.String()),
    at: Iso,
  },
  closed,
);
export type Delegation = Static<typeof Delegation>;

/** A task (also called subtask; `subtask_uuid` elsewhere is its id). */
export const WireTask = Type.Object(
  {
    id: Type.String(),
    goal_id: Type.String(),
    name: Type.String(),
    skills: Type.Array(Type.String()),
    priority: Priority,
    estimated_duration_ms: Count,
    depends_on: Type.Array(Type.String()),
    state: TaskState,
    attempts: Count,
    max_attempts: Count,
    epoch: Count,
    agent_id: Nullable(Type.String()),
    lease_expires_at: Nullable(Iso),
    available_at: Iso,
    input: Json,
    result: Json,
    error: Nullable(TaskError),
    /** The holder's latest progress (0–100); kept after the lease ends. */
    progress: Nullable(Type.Number({ minimum: 0, maximum: 100 })),
    policy: WirePolicy,
    /** The running timeout: schedule-to-start while ready, start-to-close while leased. */
    deadline_at: Nullable(Iso),
    /** null when it does not wait (leased, running, cancelling, finished). */
    waiting_reason: Nullable(WaitingReason),
    /** Oldest first; never offered to these agents again. */
    delegations: Type.Array(Delegation),
    created_at: Iso,
    updated_at: Iso,
    finished_at: Nullable(Iso),
  },
  closed,
);
export type WireTask = Static<typeof WireTask>;

/** A goal's policy, fixed at submission (docs/scheduling.md, docs/failure-handling.md). */
export const WireGoalPolicy = Type.Object(
  {
    on_task_death: Type.Union([Type.Literal('fail_fast'), Type.Literal('continue')]),
    /** null: no limit. */
    max_parallel_tasks: Nullable(Type.Integer({ minimum: 1 })),
    weight: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  closed,
);
export type WireGoalPolicy = Static<typeof WireGoalPolicy>;

export const WireGoal = Type.Object(
  {
    id: Type.String(),
    goal: Type.String(),
    context: Type.String(),
    /** The template that decomposed it, or `explicit` for a submitted DAG. */
    template: Type.String(),
    priority: Priority,
    state: GoalState,
    task_count: Count,
    succeeded_count: Count,
    dead_count: Count,
    skipped_count: Count,
    policy: WireGoalPolicy,
    created_at: Iso,
    updated_at: Iso,
    finished_at: Nullable(Iso),
  },
  closed,
);
export type WireGoal = Static<typeof WireGoal>;

/** A circuit breaker as of now: past its cool-down an open breaker reads half_open. */
export const WireBreaker = Type.Object(
  { state: BreakerState, failures: Count, opened_at: Nullable(Iso), probes: Count },
  closed,
);
export type WireBreaker = Static<typeof WireBreaker>;

export const WireAgentHealth = Type.Object(
  {
    consecutive_failures: Count,
    crashes: Count,
    /** `*`: the agent as a whole; other keys are skills. */
    breakers: Type.Record(Type.String(), WireBreaker),
    quarantine: Nullable(
      Type.Object(
        {
          reason: Type.String(),
          at: Iso,
          /** `system` or `token:<id>`. */
          by: Type.String(),
        },
        closed,
      ),
    ),
  },
  closed,
);
export type WireAgentHealth = Static<typeof WireAgentHealth>;

export const WireSkillStats = Type.Object({ succeeded: Count, failed: Count, total_ms: Count }, closed);
export type WireSkillStats = Static<typeof WireSkillStats>;

/** An agent as of now: trust decayed toward neutral (docs/agent-health.md). */
export const WireAgent = Type.Object(
  {
    id: Type.String(),
    /** The seed's `context_id`. */
    name: Type.String(),
    skills: Type.Array(Type.String()),
    max_parallel: Type.Integer({ minimum: 1 }),
    state: AgentState,
    trust: Type.Number({ minimum: 0, maximum: 1 }),
    active_leases: Count,
    health: WireAgentHealth,
    /** Per skill. */
    stats: Type.Record(Type.String(), WireSkillStats),
    last_heartbeat_at: Iso,
    registered_at: Iso,
  },
  closed,
);
export type WireAgent = Static<typeof WireAgent>;

/** A lease as its holder sees it; `skills`: those it should use (its fallback skills, if so leased). */
export const WireLease = Type.Object(
  {
    subtask_uuid: Type.String(),
    goal_id: Type.String(),
    name: Type.String(),
    skills: Type.Array(Type.String()),
    input: Json,
    epoch: Count,
    attempt: Count,
    lease_expires_at: Iso,
  },
  closed,
);
export type WireLease = Static<typeof WireLease>;

/** One entry of the append-only event log. */
export const WireEvent = Type.Object(
  {
    seq: Count,
    at: Iso,
    kind: EventKind,
    goal_id: Nullable(Type.String()),
    task_id: Nullable(Type.String()),
    agent_id: Nullable(Type.String()),
    /** A token id, `agent:<id>`, or `system`. */
    actor: Type.String(),
    data: JsonObject,
  },
  closed,
);
export type WireEvent = Static<typeof WireEvent>;

/** The skills no registered agent offers, per task (docs/api.md, "Shapes"). */
export const Feasibility = Type.Object(
  {
    feasible: Type.Boolean(),
    missing_skills: Type.Array(
      Type.Object({ skill: Type.String(), tasks: Type.Array(Type.String()) }, closed),
    ),
  },
  closed,
);
export type Feasibility = Static<typeof Feasibility>;
