// The graphile-worker peer on the local PostgreSQL: a database of its own (random name, dropped
// afterwards), a runner in the runner's process, jobs added in bulk with SQL.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Logger, run } from 'graphile-worker';
import type { Runner, Task } from 'graphile-worker';

const ROOT = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface GraphileRun {
  pool: pg.Pool;
  runner: Runner;
  close(): Promise<void>;
}

const silent = () => () => {};

export async function openGraphile(task: Task, concurrency: number): Promise<GraphileRun> {
  const db = `kosbench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const root = new pg.Client({ connectionString: ROOT });
  await root.connect();
  await root.query(`CREATE DATABASE ${db}`);
  await root.end();
  const connectionString = `postgres://postgres@127.0.0.1:5432/${db}`;
  const pool = new pg.Pool({ connectionString, max: concurrency + 4 });
  // The database is dropped with FORCE at the end: connections the runner still holds are cut.
  pool.on('error', () => {});
  const runner = await run({
    pgPool: pool,
    concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: new Logger(silent),
    taskList: { noop: task },
  });
  return {
    pool,
    runner,
    async close() {
      await runner.stop();
      await pool.end();
      const c = new pg.Client({ connectionString: ROOT });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Adds `n` noop jobs in one statement, payload `{i}` for i in 0..n-1. */
export async function addNoopJobs(pool: pg.Pool, n: number): Promise<void> {
  await pool.query(
    `SELECT graphile_worker.add_job('noop', json_build_object('i', g)) FROM generate_series(0, $1::int - 1) g`,
    [n],
  );
}
