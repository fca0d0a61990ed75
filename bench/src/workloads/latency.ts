// latency: single tasks one at a time (low load); submit → handler start and submit → result
// recorded, p50/p99. Times are wall-clock (performance.timeOrigin + now) so the handler's start in
// an agent process compares with the submit time here. No pg-boss run: its workers sleep the
// polling interval (≥ 0.5 s) after every fetch, so one-at-a-time jobs would mostly measure that
// interval (and 1,000 of them take minutes), not the queue.
import { Countdown } from '../countdown.ts';
import { withKos } from '../peers/kos.ts';
import { openBull } from '../peers/bullmq.ts';
import { openGraphile } from '../peers/graphile.ts';
import { percentile } from '../stats.ts';
import type { Measured, Workload } from '../workload.ts';

const countOf = (quick: boolean) => (quick ? 20 : 1_000);
const now = () => performance.timeOrigin + performance.now();

function summary(start: number[], result: number[], n: number): Measured {
  const problems =
    start.length === n && result.length === n ? [] : [`${result.length} of ${n} tasks measured`];
  return {
    figures: {
      start50: percentile(start, 50),
      start99: percentile(start, 99),
      result50: percentile(result, 50),
      result99: percentile(result, 99),
    },
    problems,
  };
}

export const latency: Workload = {
  name: 'latency',
  size: (q) => `${countOf(q).toLocaleString('en-US')} single tasks, one at a time`,
  measures: [
    { key: 'start50', label: 'submit → agent start p50', unit: 'ms', better: 'lower' },
    { key: 'start99', label: 'submit → agent start p99', unit: 'ms', better: 'lower' },
    { key: 'result50', label: 'submit → result p50', unit: 'ms', better: 'lower' },
    { key: 'result99', label: 'submit → result p99', unit: 'ms', better: 'lower' },
  ],
  postgres: true,

  kos(ctx, mode) {
    const n = countOf(ctx.quick);
    return withKos(
      { mode, profileDir: ctx.profileDir, processes: 2, perProcess: 1, parallel: 10 },
      async (kos, fleet) => {
        const starts = new Map<string, number>();
        fleet.onStarted((task, at) => starts.set(task, at));
        const start: number[] = [];
        const result: number[] = [];
        for (let i = 0; i < n; i++) {
          const t = now();
          const goal = await kos.admin.post<{ goal_id: string; subtasks: { id: string }[] }>(
            '/orchestration/decompose',
            {
              goal: `latency ${i}`,
              tasks: [{ name: 'one', skills: ['noop'], input: { report: true } }],
            },
          );
          for (;;) {
            const g = await kos.admin.get<{ goal: { state: string } }>(
              `/orchestration/goals/${goal.body.goal_id}`,
            );
            if (g.body.goal.state === 'succeeded') break;
            await new Promise((r) => setTimeout(r, 1));
          }
          result.push(now() - t);
          const id = goal.body.subtasks[0]?.id ?? '';
          const s = starts.get(id);
          if (s !== undefined) start.push(s - t);
        }
        return summary(start, result, n);
      },
    );
  },

  async bullmq(ctx) {
    const n = countOf(ctx.quick);
    const bull = await openBull();
    const starts = new Map<string, number>();
    const done = new Countdown();
    const worker = bull.work((job) => {
      starts.set(job.id ?? '', now());
      return 0;
    }, 10);
    worker.on('completed', () => done.finished());
    try {
      await worker.waitUntilReady();
      const start: number[] = [];
      const result: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = now();
        const job = await bull.queue.add('noop', { i });
        await done.until(i + 1);
        result.push(now() - t);
        const s = starts.get(job.id ?? '');
        if (s !== undefined) start.push(s - t);
      }
      return summary(start, result, n);
    } finally {
      await bull.close();
    }
  },

  async graphile(ctx) {
    const n = countOf(ctx.quick);
    const starts = new Map<string, number>();
    const done = new Countdown();
    const g = await openGraphile(async (_payload, helpers) => {
      starts.set(helpers.job.id, now());
    }, 10);
    g.runner.events.on('job:success', () => done.finished());
    try {
      const start: number[] = [];
      const result: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = now();
        const job = await g.runner.addJob('noop', { i });
        await done.until(i + 1);
        result.push(now() - t);
        const s = starts.get(job.id);
        if (s !== undefined) start.push(s - t);
      }
      return summary(start, result, n);
    } finally {
      await g.close();
    }
  },
};
