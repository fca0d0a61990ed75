// fan-out/fan-in: 1 → N → 1; total time from submit to the last task's result.
import type { FlowJob, Job } from 'bullmq';
import { Countdown, eachOnce } from '../countdown.ts';
import { exactlyOnce, submitGoal, waitSucceeded, withKos } from '../peers/kos.ts';
import { openBull } from '../peers/bullmq.ts';
import type { Workload } from '../workload.ts';

const widthOf = (quick: boolean) => (quick ? 50 : 1_000);

export const fanout: Workload = {
  name: 'fan-out/in',
  size: (q) => `1 → ${widthOf(q).toLocaleString('en-US')} → 1`,
  measures: [{ key: 'total', label: 'total time', unit: 'ms', better: 'lower' }],

  kos(ctx, mode) {
    const w = widthOf(ctx.quick);
    const perProcess = ctx.quick ? 5 : 50;
    return withKos(
      { mode, profileDir: ctx.profileDir, processes: 2, perProcess, parallel: 10 },
      async (kos, fleet) => {
        const middle = Array.from({ length: w }, (_, i) => ({ name: `m${i}`, depends_on: ['root'] }));
        const tasks = [{ name: 'root' }, ...middle, { name: 'sink', depends_on: middle.map((m) => m.name) }];
        const started = performance.now();
        const ids = await submitGoal(kos.admin, 'fan', tasks);
        await waitSucceeded(kos.admin, w + 2, 5);
        const total = performance.now() - started;
        const { runs, breaches } = await fleet.report();
        return { figures: { total }, problems: [...exactlyOnce(ids.values(), runs), ...breaches] };
      },
    );
  },

  // BullMQ flows have one parent per child, so the fan-out is a first job that adds the flow of
  // N children under the sink when it runs.
  async bullmq(ctx) {
    const w = widthOf(ctx.quick);
    const bull = await openBull();
    const count = new Countdown();
    const problems: string[] = [];
    const worker = bull.work(async (job: Job<{ i: string }>) => {
      count.ran(job.data.i);
      if (job.data.i === 'root') {
        const children: FlowJob[] = Array.from({ length: w }, (_, i) => ({
          name: 'noop',
          queueName: bull.name,
          data: { i: String(i) },
        }));
        await bull.flows.add({ name: 'noop', queueName: bull.name, data: { i: 'sink' }, children });
      } else if (job.data.i === 'sink') {
        const done = Object.keys(await job.getChildrenValues()).length;
        if (done !== w) problems.push(`sink ran after ${done} of ${w} children`);
      }
      return 0;
    }, 100);
    worker.on('completed', () => count.finished());
    try {
      await worker.waitUntilReady();
      const started = performance.now();
      await bull.queue.add('noop', { i: 'root' });
      await count.until(w + 2);
      const total = performance.now() - started;
      const runs = new Map(count.runs);
      if (runs.get('root') !== 1 || runs.get('sink') !== 1)
        problems.push('root or sink did not run exactly once');
      runs.delete('root');
      runs.delete('sink');
      return { figures: { total }, problems: [...problems, ...eachOnce(w, runs)] };
    } finally {
      await bull.close();
    }
  },
};
