import pg from 'pg';
import { KosError, isKosError } from '@kos/protocol';
import type { Backend, BatchHook, ReadTx, Tx, TxOptions } from '../backend.ts';
import type { Db, Statement } from './db.ts';
import { isConnectionError, notReady, storeFailure, unavailable } from './errors.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations.ts';
import { PgReadTx } from './read-queries.ts';
import { PgGroupCommit } from './group-commit.ts';

export interface PostgresBackendOptions {
  /** `postgres://user:password@host:port/database` (or `postgresql://`). */
  url: string;
  /** Connections in the pool (default 10, at least 2: a `read()` inside a transaction needs a second one). */
  poolSize?: number | undefined;
  /** How long to wait for a connection, new or from the pool, before failing (default 5 s). */
  connectTimeoutMs?: number | undefined;
  /** Server-side limit on one statement, lock waits included (default 15 s). */
  statementTimeoutMs?: number | undefined;
  /** Told `1` per committed transaction (for the commit metric). */
  onCommit?: ((batchSize: number) => void) | undefined;
  /** Told each time a batch is rolled back and redone for a deadlock victim (contention metric). */
  onRedo?: (() => void) | undefined;
}

export interface PostgresBackend extends Backend {
  readonly kind: 'postgres';
  /** Pool connections: all, idle, and callers waiting for one (a leak shows as total > idle at rest). */
  poolStats(): { total: number; idle: number; waiting: number };
  /** Group-commit batches redone because one of their transactions was a deadlock victim. */
  readonly abortedBatches: number;
}

const PING_TIMEOUT_MS = 2000;

/**
 * BIGINT (int8) as a JS number: the store's int8 columns hold ms timestamps, counters and
 * count(*), all far below 2^53. Set per pool, so other pg users in the process keep pg's
 * default (a string).
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Opens a pool on the database, migrates it, and returns the backend. Every `transaction(fn)`
 * is one PostgreSQL transaction (READ COMMITTED) on one pooled client, with row locks as
 * described in read-queries.ts; `read(fn)` runs each query on the pool without a transaction.
 */
export async function openPostgresBackend(options: PostgresBackendOptions): Promise<PostgresBackend> {
  const { url, poolSize, connectTimeoutMs, statementTimeoutMs } = checkOptions(options);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    // A dead network answers nothing: give up on the client side a little after the server would.
    query_timeout: statementTimeoutMs + 5000,
    // A transaction abandoned by a stuck process must not hold its locks for ever.
    idle_in_transaction_session_timeout: statementTimeoutMs * 4,
    keepAlive: true,
    types,
  });
  // An idle client whose connection dies (server restart, pg_terminate_backend) is dropped from
  // the pool and reported here; the next checkout opens a new connection, and errors of clients
  // in use reach their caller. Without a listener the error would crash the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken ??= error;
    };
    client.on('error', onError);
    try {
      await migrate(client, MIGRATIONS, url);
    } catch (error) {
      if (isConnectionError(error)) broken = error as Error;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (isKosError(error)) throw error;
    throw unavailable(url, 'it cannot be opened and migrated', error);
  }
  return new PostgresBackendImpl(url, pool, options.onCommit ?? (() => undefined), options.onRedo);
}

class PostgresBackendImpl implements PostgresBackend {
  readonly kind = 'postgres' as const;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closed: Promise<void> | undefined;
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly poolDb: Db;
  private readonly commits: PgGroupCommit;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    onCommit: (batchSize: number) => void,
    onRedo: () => void = () => undefined,
  ) {
    this.poolDb = { query: (statement) => this.poolQuery(statement) };
    // One batch at a time per replica; reads keep the other connections.
    this.commits = new PgGroupCommit(url, () => this.connect(), onCommit, onRedo);
  }

  /** Group-commit batches redone because one of their transactions was a deadlock victim. */
  get abortedBatches(): number {
    return this.commits.victims;
  }

  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>, options?: TxOptions<T>): Promise<T> {
    return this.track(() => this.commits.submit(fn, options));
  }

  setBatchHook(hook: BatchHook | null): void {
    this.commits.setHook(hook);
  }

  /** Runs `fn` with each query on the pool: every query sees the latest committed data, locks nothing. */
  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.track(async () => {
      const tx = new PgReadTx(this.poolDb, false);
      try {
        return await fn(tx);
      } finally {
        tx.end();
      }
    });
  }

  async ping(): Promise<boolean> {
    if (this.state !== 'open') return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    const answer = this.pool
      .query({ text: 'SELECT 1', query_timeout: PING_TIMEOUT_MS } as pg.QueryConfig)
      .then(
        () => true,
        () => false,
      );
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for running transactions and reads, then closes every connection. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.state = 'closing';
    if (this.running > 0) await new Promise<void>((wake) => this.idleWaiters.push(wake));
    await this.pool.end();
    this.state = 'closed';
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    if (this.state !== 'open') throw notReady(this.url);
    this.running++;
    try {
      return await work();
    } finally {
      if (--this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw unavailable(this.url, 'no connection could be made', error);
    }
  }

  /** A `read()` query; one that hit a connection that died while idle runs once more on a new one. */
  private async poolQuery<R extends pg.QueryResultRow>(statement: Statement): Promise<pg.QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.query<R>(statement);
      } catch (error) {
        if (attempt < 2 && isConnectionError(error)) continue;
        throw storeFailure(this.url, error, 'a read failed');
      }
    }
  }
}

interface CheckedOptions {
  url: string;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

function checkOptions(options: PostgresBackendOptions): CheckedOptions {
  const problems: string[] = [];
  if (!/^postgres(ql)?:\/\/\S+$/.test(options.url))
    problems.push('url must be a postgres:// or postgresql:// URL');
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 2)
    problems.push(`poolSize must be an integer >= 2, not ${poolSize}`);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 15_000;
  for (const [name, v] of [
    ['connectTimeoutMs', connectTimeoutMs],
    ['statementTimeoutMs', statementTimeoutMs],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) problems.push(`${name} must be a positive integer of ms, not ${v}`);
  }
  if (problems.length > 0) {
    throw new KosError(
      'KOS_ERR_CONFIG_INVALID',
      `Invalid PostgreSQL store options: ${problems.join('; ')}.`,
      {
        problems,
      },
    );
  }
  return { url: options.url, poolSize, connectTimeoutMs, statementTimeoutMs };
}
