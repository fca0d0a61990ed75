/**
 * `kos tasks [--goal] [--state] [--agent] [--limit] [--after]`, `kos tasks show <id>`, and the
 * operator actions `kos tasks retry|approve|deny <id> [--reason]`, and `kos tasks cancel <id> [--reason]`.
 */
import { Option, type Command } from 'commander';
import type { TaskState } from '@kos/contracts';
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

  tasks
    .command('cancel <id>')
    .description(
      'cancel a task: a running one is told to stop (cancelling until its agent acknowledges); its dependents are skipped',
    )
    .option('--reason <text>', 'recorded in the event log')
    .action(async (id: string, o: { reason?: string }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.cancelTask(await resolveTaskId(client, id), o.reason);
      ctx.print(answer, () => `task ${answer.task.id} ${answer.task.state}`);
    });

  const decisions = [
    ['retry', 'dead', 'retry a dead task (a dead letter): ready again with more attempts; its goal reopens'],
    ['approve', 'awaiting_approval', 'approve a task awaiting approval: it becomes ready'],
    ['deny', 'awaiting_approval', "deny a task awaiting approval: it dies and its goal's policy applies"],
  ] as const;
  for (const [action, state, description] of decisions) {
    tasks
      .command(`${action} <id>`)
      .description(`${description} (an 8-character id prefix is enough)`)
      .option('--reason <text>', 'recorded in the event log')
      .action(async (id: string, o: { reason?: string }, cmd: Command) => {
        const ctx = Ctx.of(io, cmd);
        const client = ctx.client();
        const answer = await client.decideTask(await resolveTaskId(client, id, state), action, o.reason);
        ctx.print(answer, () => `task ${answer.task.id} ${answer.task.state}`);
      });
  }
}
