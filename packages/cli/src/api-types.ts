/**
 * The REST API's JSON shapes (docs/api.md): snake_case, times as ISO-8601 strings, durations in ms.
 * The state unions are the server's own, so a new state is a type error here rather than a silent gap.
 */
import type { Priority } from '@kos/protocol';
import type { AgentState, EventKind, GoalState, TaskState, TokenRole } from '@kos/orchestrator';

export type { AgentState, EventKind, GoalState, TaskState, TokenRole };

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
  created_at: string;
  updated_at: string;
  finished_at: string | null;
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
  last_heartbeat_at: string;
  registered_at: string;
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

/** One task of an explicit DAG (`tasks` on decompose); dependencies are by name. */
export interface TaskSpec {
  name: string;
  skills: string[];
  priority?: Priority;
  estimated_duration_ms?: number;
  depends_on?: string[];
  input?: unknown;
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
    fleet?: Pick<WireAgent, 'id' | 'name' | 'state' | 'skills' | 'active_leases' | 'max_parallel'>[];
  };
  goals: StateCounts;
  tasks: StateCounts;
  ready_queue_depth: number;
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
