import { Type, type Static, type TSchema } from 'typebox';
import { ByPriority, Count, Iso, Nullable, answer, closed } from './fields.ts';
import { AgentState, GoalState, StoreKind, TaskState, ViolationKind, WaitingCode } from './states.ts';

/** `GET /orchestration/status` (docs/api.md, "Shapes"): counts from committed data. */

/** Counts by key; a key with none is absent. */
const countsBy = <K extends TSchema>(keys: K) => Type.Partial(Type.Record(keys, Count), closed);

const StateCounts = <K extends TSchema>(keys: K) =>
  Type.Object({ total: Count, by_state: countsBy(keys) }, closed);

/** An agent in the fleet summary; `breakers`: those not closed, by key (`*` or a skill). */
export const FleetAgent = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    state: AgentState,
    skills: Type.Array(Type.String()),
    active_leases: Count,
    max_parallel: Type.Integer({ minimum: 1 }),
    trust: Type.Number({ minimum: 0, maximum: 1 }),
    breakers: Type.Record(Type.String(), Type.Union([Type.Literal('open'), Type.Literal('half_open')])),
    last_heartbeat: Iso,
  },
  closed,
);
export type FleetAgent = Static<typeof FleetAgent>;

/** Quarantined agents, breakers not closed (agent or agent × skill), agents below the trust threshold. */
export const FleetHealth = Type.Object(
  {
    quarantined: Count,
    breakers: Type.Object({ open: Count, half_open: Count }, closed),
    untrusted: Count,
  },
  closed,
);
export type FleetHealth = Static<typeof FleetHealth>;

const Violations = Type.Object(
  {
    count: Count,
    examples: Type.Array(
      Type.Object(
        {
          /** The task, goal or agent it is about. */
          subject: Type.String(),
          detail: Type.String(),
        },
        closed,
      ),
    ),
  },
  closed,
);

/** The reconciler of the answering replica: it runs on the leader, elsewhere `runs` stays 0. */
export const ReconcilerStatus = Type.Object(
  {
    interval_ms: Count,
    runs: Count,
    rounds_requested: Count,
    last_run_at: Nullable(Iso),
    last_duration_ms: Nullable(Type.Number({ minimum: 0 })),
    /** Every kind, from the last run; null before the first. */
    violations: Nullable(Type.Record(ViolationKind, Violations, closed)),
  },
  closed,
);
export type ReconcilerStatus = Static<typeof ReconcilerStatus>;

/** Seed 002's `status` object (docs/api.md, "Compatibility"). */
export const SeedStatus = Type.Object(
  {
    total_subtasks: Count,
    completed_subtasks: Count,
    running_subtasks: Count,
    pending_subtasks: Count,
    registered_agents: Count,
    agent_status: Type.Record(
      Type.String(),
      Type.Object(
        {
          current_load: Count,
          max_load: Type.Integer({ minimum: 1 }),
          skills: Type.Array(Type.String()),
          last_heartbeat: Iso,
        },
        closed,
      ),
    ),
    /** The shape `GET /orchestration/tensor` answers without `goal_id`. */
    task_tensor_shape: Type.Tuple([Count, Count, Count]),
  },
  closed,
);
export type SeedStatus = Static<typeof SeedStatus>;

export const StatusResponse = answer({
  status: SeedStatus,
  agents: Type.Object(
    {
      total: Count,
      by_state: countsBy(AgentState),
      fleet: Type.Array(FleetAgent),
      health: FleetHealth,
    },
    closed,
  ),
  goals: StateCounts(GoalState),
  tasks: StateCounts(TaskState),
  ready_queue_depth: Count,
  /** Ready tasks per priority tier (ready_queue_depth is their sum). */
  ready_by_priority: ByPriority,
  /** Waiting tasks (ready, pending, awaiting_approval, retrying) by why they wait. */
  waiting: Type.Object({ total: Count, by_reason: countsBy(WaitingCode) }, closed),
  reconciler: ReconcilerStatus,
  store: StoreKind,
  uptime_s: Count,
});
export type StatusResponse = Static<typeof StatusResponse>;
