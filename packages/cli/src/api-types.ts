/**
 * The REST API's JSON shapes (docs/api.md): snake_case, times as ISO-8601 strings, durations in ms.
 * The state unions are the server's own, so a new state is a type error here rather than a silent gap.
 */
import type { Priority } from '@kos/protocol';
import type { AgentState, EventKind, GoalState, TaskState, TokenRole, WaitingCode } from '@kos/orchestrator';

export type { AgentState, EventKind, GoalState, TaskState, TokenRole, WaitingCode };

export interface WireTask {
  id: string;
  goal_id: string;
  name: string;
  skills: string[];
  priority: Priority;
  estimated_duration_ms: number;
  depends_on: string[];
  state: TaskState;
  attempts: number;
  max_attempts: number;
  epoch: number;
  agent_id: string | null;
  lease_expires_at: string | null;
  available_at: string;
  input: unknown;
  result: unknown;
  error: { code: string; message: string; retryable: boolean } | null;
  /** The holder's latest progress (0–100), or null before any. */
  progress: number | null;
  /** The resolved failure-handling policy (docs/failure-handling.md). */
  policy: WirePolicy;
  /** The running timeout: schedule-to-start while ready, start-to-close while leased or running. */
  deadline_at: string | null;
  /** Why it waits (docs/scheduling.md#why-a-task-waits); null when it does not wait. */
  waiting_reason: WaitingReason | null;
  /** Agents that declined or delegated the task, oldest first (docs/cancellation-and-delegation.md). */
  delegations: {
    agent_id: string;
    action: 'declined' | 'delegated';
    reason: string;
    to: string | null;
    at: string;
  }[];
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface WaitingReason {
  code: WaitingCode;
  /** For a person: "no active agent has skill gpu", "goal … is at its limit of 2 leased tasks …". */
  message: string;
  /** When a round first gave the reason; null for the reasons a state gives. */
  since: string | null;
}

export interface WireGoal {
  id: string;
  goal: string;
  context: string;
  template: string;
  priority: Priority;
  state: GoalState;
  task_count: number;
  succeeded_count: number;
  dead_count: number;
  skipped_count: number;
  /** Fixed at submission: docs/scheduling.md (limit, weight), docs/failure-handling.md (on_task_death). */
  policy: { on_task_death: 'fail_fast' | 'continue'; max_parallel_tasks: number | null; weight: number };
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface WireAgent {
  id: string;
  name: string;
  skills: string[];
  max_parallel: number;
  state: AgentState;
  trust: number;
  active_leases: number;
  stats: Record<string, { succeeded: number; failed: number; total_ms: number }>;
  /** Failure counts, circuit breakers and quarantine (docs/agent-health.md). */
  health: WireAgentHealth;
  last_heartbeat_at: string;
  registered_at: string;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface WireAgentHealth {
  consecutive_failures: number;
  crashes: number;
  /** `*`: the agent as a whole; other keys are skills. A closed breaker with no failures is not listed. */
  breakers: Record<
    string,
    { state: BreakerState; failures: number; opened_at: string | null; probes: number }
  >;
  quarantine: { reason: string; at: string; by: string } | null;
}

export interface WireLease {
  subtask_uuid: string;
  goal_id: string;
  name: string;
  skills: string[];
  input: unknown;
  epoch: number;
  attempt: number;
  lease_expires_at: string;
}

export interface WireEvent {
  seq: number;
  at: string;
  kind: EventKind;
  goal_id: string | null;
  task_id: string | null;
  agent_id: string | null;
  actor: string;
  data: Record<string, unknown>;
}

export interface Feasibility {
  feasible: boolean;
  missing_skills: { skill: string; tasks: string[] }[];
}

/** A task's failure-handling policy; in a TaskSpec every field is optional (docs/failure-handling.md). */
export interface WirePolicy {
  retry: {
    max_attempts: number;
    delay_strategy: 'fixed' | 'exponential';
    base_delay_ms: number;
    max_delay_ms: number;
    jitter: boolean;
  };
  timeouts: {
    schedule_to_start_ms: number | null;
    start_to_close_ms: number | null;
    heartbeat_ms: number | null;
  };
  approval: { before_run: boolean; on_failure: boolean };
  fallback: { skills: string[]; after_attempts: number } | null;
  experimental: boolean;
  concurrency: { key: string; limit: number } | null;
  run_when: 'succeeded' | 'failed';
}

type PolicySpec = {
  [K in keyof WirePolicy]?: WirePolicy[K] extends object | null ? Partial<WirePolicy[K]> : WirePolicy[K];
};

/** One task of an explicit DAG (`tasks` on decompose); dependencies are by name. */
export interface TaskSpec {
  name: string;
  skills: string[];
  priority?: Priority;
  estimated_duration_ms?: number;
  depends_on?: string[];
  input?: unknown;
  policy?: PolicySpec;
}

export interface DecomposeRequest {
  goal: string;
  context?: string;
  priority?: Priority;
  template?: string;
  tasks?: TaskSpec[];
}

export interface DecomposeResponse {
  goal_id: string;
  goal: WireGoal;
  subtasks: WireTask[];
  feasibility: Feasibility;
}

export interface Assignment {
  subtask_uuid: string;
  agent_id: string;
  epoch: number;
  lease_expires_at: string;
  score: number;
  explanation: unknown;
}

/** How many, in total and per state. */
export interface StateCounts {
  total: number;
  by_state: Record<string, number>;
}

export interface StatusResponse {
  agents: StateCounts & {
    fleet?: (Pick<
      WireAgent,
      'id' | 'name' | 'state' | 'skills' | 'active_leases' | 'max_parallel' | 'trust'
    > & {
      /** Breakers not closed, by key. */
      breakers: Record<string, Exclude<BreakerState, 'closed'>>;
    })[];
    /** Quarantined agents, breakers (agent or agent × skill) not closed, agents below the trust threshold. */
    health?: { quarantined: number; breakers: { open: number; half_open: number }; untrusted: number };
  };
  goals: StateCounts;
  tasks: StateCounts;
  ready_queue_depth: number;
  /** Waiting tasks by why they wait (codes of WaitingReason). */
  waiting?: { total: number; by_reason: Partial<Record<WaitingCode, number>> };
  /** The reconciler of the answering replica (it runs on the leader only). */
  reconciler?: {
    interval_ms: number;
    runs: number;
    last_run_at: string | null;
    violations: Record<string, { count: number; examples: { subject: string; detail: string }[] }> | null;
  };
  store: string;
  uptime_s: number;
}

interface TensorAxes {
  shape: [number, number, number];
  tasks: string[];
  task_names: string[];
  agents: string[];
  agent_names: string[];
  priority_levels: Priority[];
}
export interface DenseTensor extends TensorAxes {
  data: number[][][];
}
export interface SparseTensor extends TensorAxes {
  entries: [number, number, number, number][];
}

export interface Page {
  next: string | number | null;
}

export interface TokenCreated {
  id: string;
  token: string;
  role: TokenRole;
  agent_name: string | null;
}
