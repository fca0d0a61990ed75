/**
 * The server's refusal of a submitted DAG, placed next to the tasks it names. The planner names
 * tasks in `details`: every problem at once in `plan_problems` ({code, path, task, message}), or
 * the first one's fields (`task`, `name` for a duplicate, `cycle` for the tasks of a cycle); a body
 * that fails the schema lists `problems` as `body/tasks/2/skills …`.
 */

export interface PlacedProblems {
  /** Messages per task index (the order of the submitted list). */
  byTask: Map<number, string[]>;
  /** Those that name no task. */
  general: string[];
}

interface Refusal {
  code: string;
  message: string;
  details?: Record<string, unknown> | undefined;
}

export function placeProblems(error: Refusal, taskNames: readonly string[]): PlacedProblems {
  const byTask = new Map<number, string[]>();
  const general: string[] = [];
  const add = (index: number, message: string) => {
    const list = byTask.get(index);
    if (list) list.push(message);
    else byTask.set(index, [message]);
  };
  const indicesOf = (name: unknown): number[] =>
    typeof name !== 'string' ? [] : taskNames.flatMap((n, i) => (n === name ? [i] : []));
  const place = (message: string, names: unknown[], path?: unknown) => {
    const fromPath = typeof path === 'string' ? /(?:^|\/)tasks\/(\d+)/.exec(path) : null;
    const indices = fromPath ? [Number(fromPath[1])] : [...new Set(names.flatMap(indicesOf))];
    const valid = indices.filter((i) => i >= 0 && i < taskNames.length);
    if (valid.length === 0) general.push(message);
    else for (const i of valid) add(i, message);
  };

  const d = error.details ?? {};
  const planProblems = d.plan_problems;
  const schemaProblems = d.problems;
  if (Array.isArray(planProblems) && planProblems.length > 0) {
    type PlanProblem = { code?: unknown; path?: unknown; task?: unknown; message?: unknown; cycle?: unknown };
    for (const p of planProblems as PlanProblem[]) {
      const message = `${String(p.code ?? error.code)}: ${String(p.message ?? '')}`;
      // A cycle names every task in it, whatever the path says.
      const names = Array.isArray(p.cycle) ? p.cycle : d.cycle;
      const cycle = p.code === 'KOS_ERR_DAG_CYCLE' && Array.isArray(names) ? (names as unknown[]) : [];
      if (cycle.length > 0) place(message, cycle);
      else place(message, [p.task], p.path);
    }
  } else if (Array.isArray(schemaProblems)) {
    for (const p of schemaProblems) place(`${error.code}: ${String(p)}`, [], String(p));
  } else {
    const message = `${error.code}: ${error.message}`;
    const names = Array.isArray(d.cycle) ? (d.cycle as unknown[]) : [d.task ?? d.name];
    const index = typeof d.index === 'number' ? `tasks/${d.index}` : undefined;
    place(message, names, index);
  }
  return { byTask, general };
}
