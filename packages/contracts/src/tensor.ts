import { Type, type Static } from 'typebox';
import { Count, Nullable, answer, closed } from './fields.ts';
import { Priority } from './states.ts';

/**
 * `GET /orchestration/tensor`: T[n_tasks, n_agents, 4] from the scheduler's own scores, at each
 * task's priority level (0 critical … 3 low). `tensor_shape` and `tensor_data` repeat `shape` and
 * `data` for seed 002's reference client (docs/api.md, "Compatibility").
 */
const axes = {
  shape: Type.Tuple([Count, Count, Count]),
  tensor_shape: Type.Tuple([Count, Count, Count]),
  /** Row i is the task tasks[i]; column j the agent agents[j]. */
  tasks: Type.Array(Type.String()),
  task_names: Type.Array(Type.String()),
  agents: Type.Array(Type.String()),
  agent_names: Type.Array(Type.String()),
  priority_levels: Type.Array(Priority),
};

const Cells = Type.Array(Type.Array(Type.Array(Type.Number())));

/**
 * With `explain=true`: why a non-zero cell has its value, as [task index, agent index, reason],
 * one per non-zero cell (the order of `entries` in the sparse form). The parts are those a round
 * ranks pairs by (docs/scheduling.md); all null for the agent holding the task's lease.
 */
export const TensorExplanation = Type.Tuple([
  Count,
  Count,
  Type.Object(
    {
      /** Free slots / capacity, 0–1. */
      free_ratio: Nullable(Type.Number()),
      trust: Nullable(Type.Number()),
      /** Past success on the task's skills, 0–1 (0.5 without history). */
      history: Nullable(Type.Number()),
      /** The agent is the last one that failed the task, kept as a fallback only. */
      fallback_only: Nullable(Type.Boolean()),
      /** `load 0/4, trust 1.00, history 0.50`, or `holds the lease`. */
      explanation: Type.String(),
    },
    closed,
  ),
]);
export type TensorExplanation = Static<typeof TensorExplanation>;
const explanations = { explanations: Type.Optional(Type.Array(TensorExplanation)) };

/** `format=dense` (the default): every cell, data[i][j][k]. */
export const DenseTensorResponse = answer({ ...axes, data: Cells, tensor_data: Cells, ...explanations });
export type DenseTensorResponse = Static<typeof DenseTensorResponse>;

/** `format=sparse`: only the non-zero cells, as [task index, agent index, priority level, value]. */
export const SparseTensorResponse = answer({
  ...axes,
  entries: Type.Array(Type.Tuple([Count, Count, Count, Type.Number()])),
  ...explanations,
});
export type SparseTensorResponse = Static<typeof SparseTensorResponse>;

export const TensorResponse = Type.Union([DenseTensorResponse, SparseTensorResponse]);
export type TensorResponse = Static<typeof TensorResponse>;
