/** `kos submit "<goal>" [--context] [--priority] [--template] [--file] [--planner] [--wait]`. */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { PRIORITIES, type Priority } from '@kos/protocol';
import type { Feasibility, SubmitGoalResponse, WireGoal } from '@kos/contracts';
import { Ctx, type Io } from '../context.ts';
import { loadDag } from '../dag-file.ts';
import { QuietExit } from '../errors.ts';
import { BarView, LineView, watchGoal, type ProgressView } from '../progress.ts';
import { tasksTable } from '../render.ts';

interface SubmitOptions {
  context?: string;
  priority?: Priority;
  template?: string;
  file?: string;
  planner?: string;
  wait?: boolean;
}

export function registerSubmit(program: Command, io: Io): void {
  program
    .command('submit <goal>')
    .description('submit a goal: decomposed by a template, or the explicit DAG of --file')
    .option('--context <text>', 'context for the planner and the agents, e.g. "Q4 2024"')
    .addOption(new Option('--priority <p>', 'priority of tasks that set none').choices(PRIORITIES))
    .option('--template <name>', 'decompose with this template instead of the best match')
    .option('--file <dag>', 'submit the tasks of this JSON or YAML file ({tasks: [...]})')
    .option('--planner <name>', 'plan it by a planner agent: llm (any) or the agent named (docs/planning.md)')
    .option('--wait', 'show live progress until the goal finishes; exit 0 only if it succeeded')
    .action(async (goal: string, o: SubmitOptions, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.decompose({
        goal,
        ...(o.context === undefined ? {} : { context: o.context }),
        ...(o.priority === undefined ? {} : { priority: o.priority }),
        ...(o.template === undefined ? {} : { template: o.template }),
        ...(o.file === undefined ? {} : { tasks: loadDag(resolve(io.cwd, o.file)) }),
        ...(o.planner === undefined ? {} : { planner: o.planner }),
      });
      if (o.wait !== true) {
        ctx.print(answer, () => `${submittedText(answer)}\n\nfollow it: kos goals show ${answer.goal_id}`);
        return;
      }
      if (!ctx.json) ctx.out(`${submittedText(answer)}\n`);
      // With --json, stdout carries only the final answer; progress lines go to stderr.
      const view: ProgressView = ctx.json
        ? new LineView((l) => ctx.err(l))
        : io.tty !== null
          ? new BarView(io.tty)
          : new LineView((l) => ctx.out(l));
      const started = Date.now();
      const final = await watchGoal(client, answer.goal_id, view);
      ctx.print(final, () => `\n${finishedLine(final.goal, Date.now() - started)}`);
      if (final.goal.state !== 'succeeded') throw new QuietExit(1);
    });
}

export function submittedText(a: SubmitGoalResponse): string {
  const g = a.goal;
  return [
    `submitted goal ${a.goal_id}`,
    `  "${g.goal}"${g.context === '' ? '' : ` (${g.context})`}: template ${g.template}, priority ${g.priority}`,
    '',
    tasksTable(a.subtasks),
    ...feasibilityLines(a.feasibility),
  ].join('\n');
}

/** One warning per skill no registered agent has: those tasks wait until such an agent registers. */
export function feasibilityLines(f: Feasibility): string[] {
  if (f.feasible || f.missing_skills.length === 0) return [];
  return [
    '',
    ...f.missing_skills.map(
      (m) =>
        `warning: no agent has skill "${m.skill}" (needed by ${m.tasks.join(', ')}); those tasks will wait`,
    ),
  ];
}

export function finishedLine(g: WireGoal, elapsedMs: number): string {
  return `goal ${g.id} ${g.state}: ${g.succeeded_count}/${g.task_count} tasks succeeded in ${(elapsedMs / 1000).toFixed(1)} s`;
}
