// chain: each task depends on the previous one; ms per hop (first submit → last result / hops).
// Order is checked where the work runs: kOS hands each task its upstream result, which must be
// the previous position; the peers record the order jobs ran in.
import type { Job } from 'bullmq';
import type { FlowJob } from 'bullmq';
import { Countdown, eachOnce } from '../countdown.ts';
import { exactlyOnce, submitGoal, waitSucceeded, withKos } from '../peers/kos.ts';
import { openBull } from '../peers/bullmq.ts';
import { openGraphile } from '../peers/graphile.ts';
import type { Workload } from '../workload.ts';

const hopsOf = (quick: boolean) => (quick ? 30 : 2_000);

function inOrder(order: readonly number[], n: number): string[] {
  const bad = order.findIndex((v, i) => v !== i);
  const problems = bad >= 0 ? [`position ${bad} ran ${order[bad]}, chain order broken`] : [];
  if (order.length !== n) problems.push(`${order.length} of ${n} chain jobs ran`);
  return problems;
}

export const chain: Workload = {
  name: 'chain',
  size: (q) => `${hopsOf(q).toLocaleString('en-US')} tasks, each after the previous`,
  measures: [{ key: 'hop', label: 'per hop', unit: 'ms', better: 'lower' }],

  kos(ctx, mode) {
    const n = hopsOf(ctx.quick);
    return withKos(
      { mode, profileDir: ctx.profileDir, processes: 2, perProcess: 2, parallel: 1 },
      async (kos, fleet) => {
        const tasks = Array.from({ length: n }, (_, i) => ({
          name: `c${i}`,
          input: { chain: i },
          ...(i > 0 ? { depends_on: [`c${i - 1}`] } : {}),
        }));
        const started = performance.now();
        const ids = await submitGoal(kos.admin, 'chain', tasks);
        await waitSucceeded(kos.admin, n, 5);
        const hop = (performance.now() - started) / n;
        const { runs, breaches } = await fleet.report();
        return { figures: { hop }, problems: [...exactlyOnce(ids.values(), runs), ...breaches] };
      },
    );
  },

  // A flow is a tree whose children run first: the chain is nested n deep, root = last position.
  async bullmq(ctx) {
    const n = hopsOf(ctx.quick);
    const bull = await openBull();
    const order: number[] = [];
    const count = new Countdown();
    const worker = bull.work((job: Job<{ i: number }>) => {
      order.push(job.data.i);
      count.ran(String(job.data.i));
      return job.data.i;
    }, 4);
    worker.on('completed', () => count.finished());
    try {
      await worker.waitUntilReady();
      let flow: FlowJob = { name: 'noop', queueName: bull.name, data: { i: 0 } };
      for (let i = 1; i < n; i++)
        flow = { name: 'noop', queueName: bull.name, data: { i }, children: [flow] };
      const started = performance.now();
      await bull.flows.add(flow);
      await count.until(n);
      const hop = (performance.now() - started) / n;
      return { figures: { hop }, problems: [...inOrder(order, n), ...eachOnce(n, count.runs)] };
    } finally {
      await bull.close();
    }
  },

  // graphile-worker has no dependencies: each job adds the next one as it finishes.
  async graphile(ctx) {
    const n = hopsOf(ctx.quick);
    const order: number[] = [];
    const count = new Countdown();
    const g = await openGraphile(async (payload, helpers) => {
      const i = (payload as { i: number }).i;
      order.push(i);
      count.ran(String(i));
      if (i + 1 < n) await helpers.addJob('noop', { i: i + 1 });
    }, 4);
    g.runner.events.on('job:success', () => count.finished());
    try {
      const started = performance.now();
      await g.runner.addJob('noop', { i: 0 });
      await count.until(n);
      const hop = (performance.now() - started) / n;
      return { figures: { hop }, problems: [...inOrder(order, n), ...eachOnce(n, count.runs)] };
    } finally {
      await g.close();
    }
  },
};
