/**
 * The collector: reads the customer orders CSV — `input.path` when the task gives one (relative
 * to the agent's working directory), else data/customers.csv beside this module — and hands the
 * rows on. Run it with `npm run kos -- agent run examples/fleet/collector.ts`.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskFailure, defineAgent } from '@kos/agent';
import { parseOrdersCsv, type OrderRow } from './lib/analysis.ts';
import { collected, goalInput } from './lib/handoff.ts';

const DEFAULT_CSV = fileURLToPath(new URL('./data/customers.csv', import.meta.url));

export default defineAgent({
  name: 'collector',
  maxParallel: 2,
  handlers: {
    data_collection: async (task, ctx) => {
      const given = goalInput(task.input).path;
      const path = given === null ? DEFAULT_CSV : resolve(given);
      await ctx.progress(10, `reading ${basename(path)}`);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        // A missing file will not appear by retrying: fail the task for good, saying which file.
        throw TaskFailure.nonRetryable(`cannot read ${path}: ${(e as Error).message}`, {
          code: 'input_unreadable',
          cause: e,
        });
      }
      let rows: OrderRow[];
      try {
        rows = parseOrdersCsv(text);
      } catch (e) {
        throw TaskFailure.nonRetryable(`${path}: ${(e as Error).message}`, { code: 'bad_input', cause: e });
      }
      await ctx.progress(100, `read ${rows.length} rows from ${basename(path)}`);
      ctx.log.info('collected customer orders', { rows: rows.length, source: path });
      return collected(basename(path), rows);
    },
  },
});
