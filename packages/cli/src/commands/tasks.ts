/** `kos tasks [--goal] [--state] [--agent] [--limit] [--after]`, `kos tasks show <id>`. */
import { Option, type Command } from 'commander';
import type { TaskState } from '../api-types.ts';
import { positiveInt } from '../args.ts';
import { Ctx, type Io } from '../context.ts';
import { resolveGoalId, resolveTaskId } from '../ids.ts';
import { nextHint, taskDetail, tasksTable } from '../render.ts';
import { TASK_STATES } from '../states.ts';

interface ListOptions {
  goal?: string;
  state?: TaskState;
  agent?: string;
  limit?: number;
  after?: string;
}

export function registerTasks(program: Command, io: Io): void {
  const tasks = program
    .command('tasks')
    .description('list tasks')
    .option('--goal <id>', 'only the tasks of this goal')
    .addOption(new Option('--state <state>', 'only tasks in this state').choices(TASK_STATES))
    .option('--agent <id>', 'only tasks leased to this agent')
    .option('--limit <n>', 'at most this many (≤ 500)', positiveInt)
    .option('--after <cursor>', 'the page after this cursor')
    .action(async (o: ListOptions, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.listTasks({
        ...(o.goal === undefined ? {} : { goal_id: await resolveGoalId(client, o.goal) }),
        ...(o.state === undefined ? {} : { state: o.state }),
        ...(o.agent === undefined ? {} : { agent_id: o.agent }),
        ...(o.limit === undefined ? {} : { limit: o.limit }),
        ...(o.after === undefined ? {} : { after: o.after }),
      });
      ctx.print(answer, () => tasksTable(answer.tasks) + nextHint(answer.next));
    });

  tasks
    .command('show <id>')
    .description('a task and its event history (an 8-character id prefix is enough)')
    .action(async (id: string, _o: object, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.getTask(await resolveTaskId(client, id));
      ctx.print(answer, () => taskDetail(answer.task, answer.history));
    });
}
