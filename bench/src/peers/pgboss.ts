// The pg-boss peer (v10, the last line that runs on Node 20) on the local PostgreSQL: a database of
// its own (dropped afterwards), workers in the runner's process, jobs inserted in bulk.
//
// Tuned for throughput with pg-boss's own knobs (v10 has no teamSize: concurrency is several
// `work()` calls): WORKERS workers, each fetching up to BATCH_SIZE jobs per poll, polling every
// 0.5 s (the least pg-boss accepts); no maintenance supervisor or cron scheduler. A pg-boss worker
// sleeps the polling interval after every fetch, even a full one, so WORKERS × BATCH_SIZE per
// 0.5 s caps it. Chosen by a sweep of 20,000 jobs on the bench machine (2026-11-22, jobs/s):
// 10×100 1,969 (at that cap), 10×250 2,594, 10×500 2,394, 10×1000 1,912, 20×200 2,145,
// 2×1000 3,835, 5×1000 3,411, 5×500 4,560 (twice): a few workers with mid-sized batches did best.
import PgBoss from 'pg-boss';
import { createTestDatabase } from '../../../packages/orchestrator/src/store/postgres/test-database.ts';

const WORKERS = 5;
const BATCH_SIZE = 500;
const POLLING_INTERVAL_SECONDS = 0.5;

const QUEUE = 'noop';

export interface PgBossRun {
  /** Starts the workers; `handler` runs for every job (each fetched batch is completed at once). */
  work(handler: (data: { i: number }) => void): Promise<void>;
  /** Adds `n` jobs with data `{i}` for i in 0..n-1, in inserts of `chunk`. */
  add(n: number, chunk: number): Promise<void>;
  /** Jobs recorded as completed in the database. */
  completed(): Promise<number>;
  /** Errors pg-boss reported while running (there should be none). */
  errors: string[];
  close(): Promise<void>;
}

export async function openPgBoss(): Promise<PgBossRun> {
  const db = await createTestDatabase('kosbench_pgboss');
  const errors: string[] = [];
  const boss = new PgBoss({
    connectionString: db.url,
    max: WORKERS + 4,
    supervise: false,
    schedule: false,
  });
  boss.on('error', (err) => errors.push(err.message));
  try {
    await boss.start();
    await boss.createQueue(QUEUE);
  } catch (err) {
    await boss.stop({ graceful: false }).catch(() => {});
    await db.drop();
    throw err;
  }
  return {
    errors,
    async work(handler) {
      for (let w = 0; w < WORKERS; w++) {
        await boss.work<{ i: number }>(
          QUEUE,
          { batchSize: BATCH_SIZE, pollingIntervalSeconds: POLLING_INTERVAL_SECONDS },
          async (jobs) => {
            for (const job of jobs) handler(job.data);
          },
        );
      }
    },
    async add(n, chunk) {
      for (let b = 0; b * chunk < n; b++) {
        const size = Math.min(chunk, n - b * chunk);
        await boss.insert(
          Array.from({ length: size }, (_, i) => ({ name: QUEUE, data: { i: b * chunk + i } })),
        );
      }
    },
    async completed() {
      const { rows } = await boss
        .getDb()
        .executeSql(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [
          QUEUE,
        ]);
      return (rows[0] as { n: number }).n;
    },
    async close() {
      await boss.stop({ graceful: true, wait: true, timeout: 5000 });
      await db.drop();
    },
  };
}
