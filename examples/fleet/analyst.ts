/**
 * The analyst: monthly revenue, a least-squares trend and a quarter-over-quarter comparison of the
 * rows the collector handed on (`ctx.upstream['Data Collection']`), for the goal's context
 * (e.g. "Q4 2024"). Run it with `npm run kos -- agent run examples/fleet/analyst.ts`.
 */
import { TaskFailure, defineAgent } from '@kos/agent';
import { analyze } from './lib/analysis.ts';
import { goalInput, isCollectedData, orderRows } from './lib/handoff.ts';

export default defineAgent({
  name: 'analyst',
  maxParallel: 2,
  handlers: {
    data_analysis: async (task, ctx) => {
      const data = ctx.upstream['Data Collection'];
      if (!isCollectedData(data)) {
        throw TaskFailure.nonRetryable('this task needs the result of a "Data Collection" task', {
          code: 'bad_input',
        });
      }
      await ctx.progress(20, `analysing ${data.rows.length} rows from ${data.source}`);
      const analysis = analyze(orderRows(data), goalInput(task.input).context);
      const t = analysis.trend;
      await ctx.progress(
        100,
        `${analysis.months.length} months, trend ${t.growthPctPerMonth.toFixed(1)}%/month (R² ${t.r2.toFixed(2)})`,
      );
      return analysis;
    },
  },
});
