// flat: many independent tasks, end-to-end tasks/s (first submit → last result recorded).
import type { Job } from 'bullmq';
import { Countdown, eachOnce } from '../countdown.ts';
import { exactlyOnce, submitGoal, waitSucceeded, withKos } from '../peers/kos.ts';
import { openBull } from '../peers/bullmq.ts';
import { addNoopJobs, openGraphile } from '../peers/graphile.ts';
import { seconds, type Workload } from '../workload.ts';

const PROCESSES = 2;
const agentsPer = (quick: boolean) => (quick ? 5 : 50);
const PARALLEL = 10;
const BATCH = 1000;
const tasksOf = (quick: boolean) => (quick ? 500 : 20_000);

export const flat: Workload = {
  name: 'flat',
  size: (q) =>
    `${tasksOf(q).toLocaleString('en-US')} tasks, ${PROCESSES * agentsPer(q)} agents × ${PARALLEL} in ${PROCESSES} processes`,
  measures: [{ key: 'tps', label: 'end-to-end tasks/s', unit: 'tasks/s', better: 'higher' }],

  async kos(ctx, mode) {
    const n = tasksOf(ctx.quick);
    const profile =
      ctx.profileDir === undefined ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] };
    return withKos(
      { mode, ...profile, processes: PROCESSES, perProcess: agentsPer(ctx.quick), parallel: PARALLEL },
      async (kos, fleet) => {
        const ids: string[] = [];
        const started = performance.now();
        for (let g = 0; g * BATCH < n; g++) {
          const size = Math.min(BATCH, n - g * BATCH);
          const tasks = Array.from({ length: size }, (_, i) => ({ name: `t${i}` }));
          ids.push(...(await submitGoal(kos.admin, `flat ${g}`, tasks)).values());
        }
        await waitSucceeded(kos.admin, n);
        const tps = n / seconds(started);
        const { runs, breaches } = await fleet.report();
        return { figures: { tps }, problems: [...exactlyOnce(ids, runs), ...breaches] };
      },
    );
  },

  async bullmq(ctx) {
    const n = tasksOf(ctx.quick);
    const bull = await openBull();
    const count = new Countdown();
    const worker = bull.work(
      (job: Job<{ i: number }>) => {
        count.ran(String(job.data.i));
        return 0;
      },
      PROCESSES * agentsPer(ctx.quick),
    );
    worker.on('completed', () => count.finished());
    try {
      await worker.waitUntilReady();
      const started = performance.now();
      for (let b = 0; b * BATCH < n; b++) {
        const size = Math.min(BATCH, n - b * BATCH);
        await bull.queue.addBulk(
          Array.from({ length: size }, (_, i) => ({ name: 'noop', data: { i: b * BATCH + i } })),
        );
      }
      await count.until(n);
      return { figures: { tps: n / seconds(started) }, problems: eachOnce(n, count.runs) };
    } finally {
      await bull.close();
    }
  },

  async graphile(ctx) {
    const n = tasksOf(ctx.quick);
    const count = new Countdown();
    const g = await openGraphile(async (payload) => {
      count.ran(String((payload as { i: number }).i));
    }, 20);
    g.runner.events.on('job:success', () => count.finished());
    try {
      const started = performance.now();
      await addNoopJobs(g.pool, n);
      await count.until(n);
      return { figures: { tps: n / seconds(started) }, problems: eachOnce(n, count.runs) };
    } finally {
      await g.close();
    }
  },
};
