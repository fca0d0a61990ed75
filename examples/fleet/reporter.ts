/**
 * The reporter: writes the analysis (`ctx.upstream['Data Analysis']`) as Markdown to
 * `<data dir>/reports/<goal id>.md`, the data dir being KOS_DATA_DIR or ./.kos.
 * Run it with `npm run kos -- agent run examples/fleet/reporter.ts`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TaskFailure, defineAgent } from '@kos/agent';
import { goalInput, isAnalysis } from './lib/handoff.ts';
import { reportMarkdown } from './lib/report.ts';

export default defineAgent({
  name: 'reporter',
  handlers: {
    reporting: async (task, ctx) => {
      const analysis = ctx.upstream['Data Analysis'];
      if (!isAnalysis(analysis)) {
        throw TaskFailure.nonRetryable('this task needs the result of a "Data Analysis" task', {
          code: 'bad_input',
        });
      }
      const { goal, context } = goalInput(task.input);
      const dir = join(resolve(process.env.KOS_DATA_DIR ?? '.kos'), 'reports');
      const path = join(dir, `${task.goalId}.md`);
      await ctx.progress(50, `writing ${path}`);
      const title = goal === '' ? 'Customer data trends' : goal;
      const text = reportMarkdown({ id: task.goalId, goal: title, context }, analysis, new Date());
      await mkdir(dir, { recursive: true });
      // The same path for every attempt: a retried task overwrites its own report, nothing else.
      await writeFile(path, text);
      await ctx.progress(100, `report written: ${path}`);
      return { report_path: path, bytes: Buffer.byteLength(text) };
    },
  },
});
