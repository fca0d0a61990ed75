// flat: many independent tasks, end-to-end tasks/s (first submit → last result recorded), on every
// store mode including PostgreSQL (PG, PG2), against BullMQ, graphile-worker and pg-boss.
import { poll } from '@kos/testing';
import type { Job } from 'bullmq';
import { Countdown, eachOnce } from '../countdown.ts';
import { exactlyOnce, submitGoal, waitSucceeded, withKos } from '../peers/kos.ts';
import { openBull } from '../peers/bullmq.ts';
import { addNoopJobs, openGraphile } from '../peers/graphile.ts';
import { openPgBoss } from '../peers/pgboss.ts';
import { seconds, type Workload } from '../workload.ts';

const PROCESSES = 2;
const agentsPer = (quick: boolean) => (quick ? 5 : 50);
const PARALLEL = 10;
const BATCH = 1000;
const tasksOf = (quick: boolean) => (quick ? 500 : 50_000);

/**
 * The kOS side of flat for a fleet shape: `processes` agent processes × `perProcess` agents ×
 * `parallel` slots each. `flat` (100 agents × 10) and `flat-wide` (1,000 agents × 1) offer the
 * same 1,000 slots, so their ratio is what a ten times larger fleet costs.
 */
function kosFlat(
  processes: number,
  perProcess: (quick: boolean) => number,
  parallel: number,
): Workload['kos'] {
  return async (ctx, mode) => {
    const n = tasksOf(ctx.quick);
    return withKos(
      { mode, profileDir: ctx.profileDir, processes, perProcess: perProcess(ctx.quick), parallel },
      async (kos, fleet) => {
        const ids: string[] = [];
        const started = performance.now();
        for (let g = 0; g * BATCH < n; g++) {
          const size = Math.min(BATCH, n - g * BATCH);
          const tasks = Array.from({ length: size }, (_, i) => ({ name: `t${i}` }));
          // Round-robin over the replicas (one on SQLite), as a load balancer would.
          const api = kos.apis[g % kos.apis.length]!;
          ids.push(...(await submitGoal(api, `flat ${g}`, tasks)).values());
        }
        await waitSucceeded(kos.admin, n);
        const tps = n / seconds(started);
        const { runs, breaches } = await fleet.report();
        return { figures: { tps }, problems: [...exactlyOnce(ids, runs), ...breaches] };
      },
    );
  };
}

const WIDE_PROCESSES = 4;
const wideAgentsPer = (quick: boolean) => (quick ? 10 : 250);

export const flatWide: Workload = {
  name: 'flat-wide',
  size: (q) =>
    `${tasksOf(q).toLocaleString('en-US')} tasks, ${WIDE_PROCESSES * wideAgentsPer(q)} agents × 1 in ${WIDE_PROCESSES} processes`,
  measures: [{ key: 'tps', label: 'end-to-end tasks/s, wide fleet', unit: 'tasks/s', better: 'higher' }],
  kos: kosFlat(WIDE_PROCESSES, wideAgentsPer, 1),
};

export const flat: Workload = {
  name: 'flat',
  size: (q) =>
    `${tasksOf(q).toLocaleString('en-US')} tasks, ${PROCESSES * agentsPer(q)} agents × ${PARALLEL} in ${PROCESSES} processes`,
  measures: [{ key: 'tps', label: 'end-to-end tasks/s', unit: 'tasks/s', better: 'higher' }],
  postgres: true,
  kos: kosFlat(PROCESSES, agentsPer, PARALLEL),

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

  async pgboss(ctx) {
    const n = tasksOf(ctx.quick);
    const boss = await openPgBoss();
    const runs = new Map<string, number>();
    try {
      await boss.work(({ i }) => runs.set(String(i), (runs.get(String(i)) ?? 0) + 1));
      const started = performance.now();
      await boss.add(n, BATCH);
      await poll(async () => (await boss.completed()) >= n, {
        timeoutMs: 900_000,
        intervalMs: 20,
        what: `${n} pg-boss jobs to complete`,
      });
      const tps = n / seconds(started);
      return { figures: { tps }, problems: [...eachOnce(n, runs), ...boss.errors.slice(0, 5)] };
    } finally {
      await boss.close();
    }
  },
};
