import type { Priority, SparseTensorResponse, TensorExplanation } from '@kos/contracts';

/** GET /orchestration/tensor?format=sparse shaped into heatmap cells with their score parts. */

/** The score parts of a cell (`explain=true`); null parts: the agent holds the task's lease. */
export type ScoreParts = TensorExplanation[2];

export interface TensorCell {
  row: number;
  col: number;
  /** The priority level (0 critical … 3 low): the task's, the tensor's k index. */
  k: number;
  priority: Priority | undefined;
  value: number;
  parts: ScoreParts | null;
}

export interface TensorView {
  rows: { id: string; name: string }[];
  cols: { id: string; name: string }[];
  cells: TensorCell[];
  /** Cell by `row:col`, for hovering. */
  at: Map<string, TensorCell>;
}

type Sparse = Pick<
  SparseTensorResponse,
  'tasks' | 'task_names' | 'agents' | 'agent_names' | 'entries' | 'priority_levels' | 'explanations'
>;

export function tensorView(t: Sparse): TensorView {
  const parts = new Map<string, ScoreParts>();
  for (const [i, j, p] of t.explanations ?? []) parts.set(`${i}:${j}`, p);
  const cells: TensorCell[] = [];
  const at = new Map<string, TensorCell>();
  for (const [i, j, k, value] of t.entries) {
    const cell = {
      row: i,
      col: j,
      k,
      priority: t.priority_levels[k],
      value,
      parts: parts.get(`${i}:${j}`) ?? null,
    };
    cells.push(cell);
    at.set(`${i}:${j}`, cell);
  }
  return {
    rows: t.tasks.map((id, i) => ({ id, name: t.task_names[i] ?? id })),
    cols: t.agents.map((id, j) => ({ id, name: t.agent_names[j] ?? id })),
    cells,
    at,
  };
}
