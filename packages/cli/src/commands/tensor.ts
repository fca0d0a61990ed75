/** `kos tensor [--goal <id>] [--sparse]`: the assignment score tensor T[task, agent, priority]. */
import type { Command } from 'commander';
import type { DenseTensorResponse, SparseTensorResponse } from '@kos/contracts';
import { Ctx, type Io } from '../context.ts';
import { resolveGoalId } from '../ids.ts';
import { formatTable, shortId } from '../table.ts';

export function registerTensor(program: Command, io: Io): void {
  program
    .command('tensor')
    .description('assignment scores per task, agent and priority level')
    .option('--goal <id>', 'only the tasks of this goal')
    .option('--sparse', 'only the non-zero cells')
    .action(async (o: { goal?: string; sparse?: boolean }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const goal = o.goal === undefined ? {} : { goal_id: await resolveGoalId(client, o.goal) };
      if (o.sparse === true) {
        const t = await client.tensor({ ...goal, format: 'sparse' });
        ctx.print(t, () => sparseText(t));
      } else {
        const t = await client.tensor({ ...goal, format: 'dense' });
        ctx.print(t, () => denseText(t));
      }
    });
}

const cell = (v: number): string => (v === 0 ? '.' : v.toFixed(2));
const label = (names: readonly string[], ids: readonly string[], i: number): string =>
  `${names[i] ?? '?'} ${shortId(ids[i])}`;

/** One grid (tasks × agents) per priority level that has a non-zero score. */
export function denseText(t: DenseTensorResponse): string {
  const [nTasks, nAgents] = t.shape;
  const head = `tensor ${t.shape.join('×')} (tasks × agents × priority levels)`;
  if (nTasks === 0 || nAgents === 0) return `${head}\nempty: ${nTasks === 0 ? 'no tasks' : 'no agents'}`;
  const blocks = t.priority_levels.flatMap((level, k) => {
    const rows = t.data.map((byAgent) => byAgent.map((levels) => levels[k] ?? 0));
    if (rows.every((r) => r.every((v) => v === 0))) return [];
    const header = ['TASK \\ AGENT', ...t.agents.map((_, j) => label(t.agent_names, t.agents, j))];
    const body = rows.map((r, i) => [label(t.task_names, t.tasks, i), ...r.map(cell)]);
    const right = header.map((_, c) => c).slice(1);
    return [`priority ${level}\n${formatTable(header, body, { alignRight: right })}`];
  });
  if (blocks.length > 0) return [head, ...blocks].join('\n\n');
  const names = t.tasks.map((_, i) => `  ${label(t.task_names, t.tasks, i)}`);
  return [head, 'all scores are 0: no agent can take these tasks now', ...names].join('\n');
}

export function sparseText(t: SparseTensorResponse): string {
  const head = `tensor ${t.shape.join('×')}: ${t.entries.length} non-zero cells`;
  if (t.entries.length === 0) return head;
  const rows = [...t.entries]
    .sort((a, b) => a[2] - b[2] || a[0] - b[0] || b[3] - a[3])
    .map(([i, j, k, v]) => [
      label(t.task_names, t.tasks, i),
      label(t.agent_names, t.agents, j),
      t.priority_levels[k] ?? String(k),
      v.toFixed(3),
    ]);
  return `${head}\n${formatTable(['TASK', 'AGENT', 'PRIORITY', 'SCORE'], rows, { alignRight: [3] })}`;
}
