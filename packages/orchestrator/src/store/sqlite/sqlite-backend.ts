import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { KosError, isKosError } from '@kos/protocol';
import type { Backend, BatchHook, ReadTx, Tx, TxOptions } from '../backend.ts';
import { GroupCommit } from './group-commit.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations.ts';
import { ReadQueries } from './read-queries.ts';
import { SqliteReadTx, SqliteTx } from './transactions.ts';
import { WriteQueries } from './write-queries.ts';

export interface SqliteBackendOptions {
  /** Path of the database file; its folder is created when missing. */
  file: string;
  /**
   * FULL: an acknowledged write survives power loss (one fsync per group commit).
   * NORMAL: it survives a crash of the process (kill -9) but not of the machine.
   */
  synchronous: 'FULL' | 'NORMAL';
  /** Told the size of each committed group (for the commit-batch metric). */
  onCommit?: ((batchSize: number) => void) | undefined;
}

export interface SqliteBackend extends Backend {
  readonly kind: 'sqlite';
  /** The absolute path of the database file. */
  readonly file: string;
}

/** Most ops a group commit batches; bounds the latency a batch adds (see group-commit.ts). */
const MAX_BATCH = 1000;
/** How long a connection waits for a lock held by another process before failing. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the SQLite database, migrates it, and returns the backend: one writer
 * connection driven by group commit and one read-only connection for `read()`, which in WAL mode
 * sees only committed data and never waits for the writer.
 */
export async function openSqliteBackend(options: SqliteBackendOptions): Promise<SqliteBackend> {
  const file = checkOptions(options);
  try {
    await mkdir(dirname(file), { recursive: true });
  } catch (cause) {
    throw unavailable(file, 'its folder cannot be created', cause);
  }
  let writer: Database.Database | undefined;
  let reader: Database.Database | undefined;
  try {
    writer = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    const mode = writer.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, WAL is required`);
    writer.pragma(`synchronous = ${options.synchronous}`);
    writer.pragma('foreign_keys = ON');
    registerFunctions(writer);
    migrate(writer, MIGRATIONS, file);
    reader = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    registerFunctions(reader);
    return new SqliteBackendImpl(file, writer, reader, options.onCommit);
  } catch (cause) {
    reader?.close();
    writer?.close();
    if (isKosError(cause)) throw cause;
    throw unavailable(file, 'it cannot be opened', cause);
  }
}

/**
 * SQL functions the queries use: `kos_lower`, Unicode lower case (SQLite's own lower() folds
 * ASCII letters only, PostgreSQL's folds them all), so the goal-text filter matches alike on both.
 */
export function registerFunctions(db: Database.Database): void {
  db.function('kos_lower', { deterministic: true }, (s: unknown) =>
    typeof s === 'string' ? s.toLowerCase() : null,
  );
}

class SqliteBackendImpl implements SqliteBackend {
  readonly kind = 'sqlite' as const;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closed: Promise<void> | undefined;
  private activeReads = 0;
  private readsDone: (() => void)[] = [];
  private readonly reads: ReadQueries;
  private readonly commits: GroupCommit;
  private readonly pingStmt: Database.Statement<[], unknown>;

  constructor(
    readonly file: string,
    private readonly writer: Database.Database,
    private readonly reader: Database.Database,
    onCommit?: (batchSize: number) => void,
  ) {
    this.reads = new ReadQueries(reader);
    const txReads = new ReadQueries(writer);
    const writes = new WriteQueries(writer);
    this.commits = new GroupCommit(writer, () => new SqliteTx(txReads, writes), MAX_BATCH, onCommit);
    this.pingStmt = reader.prepare('SELECT 1');
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>, options?: TxOptions<T>): Promise<T> {
    if (this.state !== 'open') return Promise.reject(notReady(this.file));
    return this.commits.submit(fn, options);
  }

  setBatchHook(hook: BatchHook | null): void {
    this.commits.setHook(hook);
  }

  /**
   * Runs `fn` on the read-only connection, without batching. Each query sees the latest committed
   * data (like READ COMMITTED); for a consistent view of several rows use `transaction()`.
   */
  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    if (this.state !== 'open') throw notReady(this.file);
    const tx = new SqliteReadTx(this.reads);
    this.activeReads++;
    try {
      return await fn(tx);
    } finally {
      tx.end();
      if (--this.activeReads === 0) for (const wake of this.readsDone.splice(0)) wake();
    }
  }

  async ping(): Promise<boolean> {
    if (this.state !== 'open') return false;
    try {
      this.pingStmt.get();
      return true;
    } catch {
      return false;
    }
  }

  /** Commits what was already submitted, waits for running reads, then closes both connections. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.state = 'closing';
    await this.commits.drain();
    if (this.activeReads > 0) await new Promise<void>((wake) => this.readsDone.push(wake));
    this.reader.close();
    this.writer.close();
    this.state = 'closed';
  }
}

function checkOptions(options: SqliteBackendOptions): string {
  if (options.synchronous !== 'FULL' && options.synchronous !== 'NORMAL') {
    throw new KosError(
      'KOS_ERR_CONFIG_INVALID',
      `sqlite.synchronous must be FULL or NORMAL, not ${JSON.stringify(options.synchronous)}.`,
      { synchronous: options.synchronous },
    );
  }
  const file = options.file.trim();
  if (file === '' || file === ':memory:' || file.startsWith('file:')) {
    throw new KosError(
      'KOS_ERR_CONFIG_INVALID',
      `The SQLite store needs a file path, not ${JSON.stringify(options.file)}: the reader connection must open the same file.`,
      { file: options.file },
    );
  }
  return resolve(file);
}

function unavailable(file: string, what: string, cause: unknown): KosError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new KosError(
    'KOS_ERR_STORE_UNAVAILABLE',
    `The SQLite database ${file} is unavailable: ${what} (${reason}). Check the path and its permissions.`,
    { file, cause: reason },
  );
}

function notReady(file: string): KosError {
  return new KosError('KOS_ERR_NOT_READY', `The SQLite store ${file} is closed.`, { file });
}
