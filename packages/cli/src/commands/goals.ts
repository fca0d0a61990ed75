/** `kos goals [--state] [--limit] [--after]`, `kos goals show <id>`, `kos goals cancel <id>`. */
import { Option, type Command } from 'commander';
import type { GoalState } from '@kos/contracts';
import { positiveInt } from '../args.ts';
import { Ctx, type Io } from '../context.ts';
import { resolveGoalId } from '../ids.ts';
import { goalDetail, goalsTable, nextHint } from '../render.ts';
import { planningSection } from '../render-planning.ts';

const isPlanning = (skill: string) => skill === 'planning' || skill.startsWith('planning/');
import { GOAL_STATES } from '../states.ts';

export function registerGoals(program: Command, io: Io): void {
  const goals = program
    .command('goals')
    .description('list goals, newest first')
    .addOption(new Option('--state <state>', 'only goals in this state').choices(GOAL_STATES))
    .option('--limit <n>', 'at most this many (≤ 500)', positiveInt)
    .option('--after <cursor>', 'the page after this cursor')
    .action(async (o: { state?: GoalState; limit?: number; after?: string }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const answer = await ctx.client().listGoals(o);
      ctx.print(answer, () => goalsTable(answer.goals) + nextHint(answer.next));
    });

  goals
    .command('show <id>')
    .description('a goal and its tasks (an 8-character id prefix is enough)')
    .action(async (id: string, _o: object, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.getGoal(await resolveGoalId(client, id));
      // Planning happens first, so its events are among the goal's first page.
      const planned =
        answer.goal.template === 'planner' || answer.tasks.some((t) => t.skills.some(isPlanning));
      const events = planned ? (await client.events({ goal_id: answer.goal.id, limit: 1000 })).events : [];
      const planning = planningSection(events);
      ctx.print(
        answer,
        () => goalDetail(answer.goal, answer.tasks) + (planning === '' ? '' : `\n\n${planning}`),
      );
    });

  goals
    .command('cancel <id>')
    .description('cancel a goal: its unfinished tasks are cancelled and their leases revoked')
    .option('--reason <text>', 'recorded in the event log')
    .action(async (id: string, o: { reason?: string }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.cancelGoal(await resolveGoalId(client, id), o.reason);
      ctx.print(answer, () => `goal ${answer.goal.id} ${answer.goal.state}`);
    });
}
