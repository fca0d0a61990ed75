import { Type, type Static } from 'typebox';
import { Count, answer } from './fields.ts';
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

/** `format=dense` (the default): every cell, data[i][j][k]. */
export const DenseTensorResponse = answer({ ...axes, data: Cells, tensor_data: Cells });
export type DenseTensorResponse = Static<typeof DenseTensorResponse>;

/** `format=sparse`: only the non-zero cells, as [task index, agent index, priority level, value]. */
export const SparseTensorResponse = answer({
  ...axes,
  entries: Type.Array(Type.Tuple([Count, Count, Count, Type.Number()])),
});
export type SparseTensorResponse = Static<typeof SparseTensorResponse>;

export const TensorResponse = Type.Union([DenseTensorResponse, SparseTensorResponse]);
export type TensorResponse = Static<typeof TensorResponse>;
