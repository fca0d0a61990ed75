import type Database from 'better-sqlite3';
import { KosError } from '@kos/protocol';
import type { BatchHook, Tx, TxOptions } from '../backend.ts';
import { BatchRows } from '../batch-rows.ts';
import { HeldRowsTx } from '../held-rows-tx.ts';
import type { SqliteTx } from './transactions.ts';

/**
 * Group commit: many `transaction(fn)` calls share one SQLite transaction, hence one fsync.
 *
 * Why: with synchronous=FULL every COMMIT waits for an fsync of the WAL (milliseconds on most
 * disks), so one transaction per request caps the store at a few hundred acknowledged writes per
 * second. Skipping the fsync (synchronous=OFF) would break "nothing acknowledged is lost". Instead
 * calls are queued, and a flush scheduled with setImmediate runs the queue (up to `maxBatch` ops,
 * which bounds the latency a batch adds) as:
 *
 *   BEGIN IMMEDIATE
 *     SAVEPOINT op; await fn(tx); RELEASE op            -- fn resolved
 *     SAVEPOINT op; await fn(tx); ROLLBACK TO op; RELEASE op   -- fn threw: only its writes undone
 *     …
 *   COMMIT
 *
 * and settles the callers' promises only after COMMIT returned, so an acknowledgement always
 * follows durability. Each op stays atomic (its savepoint), sees the writes of the ops before it,
 * and a failing op does not disturb the others. Ops run strictly one after another (each fn is
 * awaited before the next starts) and only the flusher touches the writer connection, so the
 * async Tx API cannot interleave two ops' statements. Calls made while a flush runs wait for the
 * next batch. If COMMIT fails, the whole batch is rolled back and every op of it is rejected.
 *
 * Measured on the dev VM: one insert per commit, awaited in turn, costs ~3 ms with FULL (~350/s);
 * 10,000 submitted at once commit in ~0.3 s with FULL (~30,000/s) and ~0.25 s with NORMAL.
 *
 * When an op that resolved asks for it (`wantsHook`), the batch hook runs last, in a savepoint of
 * its own, before COMMIT (see BatchHook): e.g. the assignment round that leases what the batch's
 * results readied commits with them. After COMMIT the ops that resolved are told in order
 * (`TxOptions.committed`), then the hook, then the callers' promises settle.
 *
 * A fn must not wait for anything outside its transaction (another `transaction()` call would
 * deadlock: it is queued behind the batch that waits for it).
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;
  private idleWaiters: (() => void)[] = [];
  private hook: BatchHook | null = null;
  private readonly begin: Database.Statement<[]>;
  private readonly commit: Database.Statement<[]>;
  private readonly rollback: Database.Statement<[]>;
  private readonly savepoint: Database.Statement<[]>;
  private readonly release: Database.Statement<[]>;
  private readonly rollbackTo: Database.Statement<[]>;

  constructor(
    private readonly db: Database.Database,
    private readonly makeTx: () => SqliteTx,
    private readonly maxBatch: number,
    private readonly onCommit: (batchSize: number) => void = () => {},
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT op');
    this.release = db.prepare('RELEASE op');
    this.rollbackTo = db.prepare('ROLLBACK TO op');
  }

  submit<T>(fn: (tx: Tx) => Promise<T>, options: TxOptions<T> = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const wantsHook = options.wantsHook as ((value: unknown) => boolean) | undefined;
      const committed = options.committed as ((value: unknown) => void) | undefined;
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject, wantsHook, committed });
      this.schedule();
    });
  }

  setHook(hook: BatchHook | null): void {
    this.hook = hook;
  }

  /** Resolves once every op submitted so far has settled. */
  drain(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && !this.flushing && !this.scheduled;
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      await this.runBatch(batch);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
      else for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async runBatch(batch: readonly Pending[]): Promise<void> {
    try {
      this.begin.run();
    } catch (cause) {
      for (const op of batch) op.reject(storeFailure('could not start a transaction', cause));
      return;
    }
    const rows = new BatchRows();
    const outcomes: Outcome[] = [];
    const aborted = (ran: number, cause: unknown): void => {
      // SQLite aborted the whole transaction (I/O error, disk full…): the earlier ops' writes are
      // gone too. Reject the ops that ran; the ones that did not run go first into the next batch.
      this.rollbackQuietly();
      for (const op of batch.slice(0, ran)) op.reject(storeFailure('the transaction was aborted', cause));
      this.queue.unshift(...batch.slice(ran));
    };
    for (const [i, op] of batch.entries()) {
      const outcome = await this.runOp(rows, op.fn);
      const lost = this.endOp(outcome);
      if (lost !== undefined) return aborted(i + 1, lost.cause);
      rows.endOp(outcome.ok);
      outcomes.push(outcome);
    }
    const hook = this.hook;
    const wanted = batch.some((op, i) => {
      const o = outcomes[i];
      return o?.ok === true && op.wantsHook?.(o.value) === true;
    });
    let hooked: Outcome | undefined;
    if (hook !== null && wanted) {
      hooked = await this.runOp(rows, (tx) => hook.run(tx));
      const lost = this.endOp(hooked);
      if (lost !== undefined) return aborted(batch.length, lost.cause);
      rows.endOp(hooked.ok);
    }
    try {
      await this.finishRows(rows);
      this.commit.run();
    } catch (cause) {
      this.rollbackQuietly();
      for (const op of batch) op.reject(storeFailure('the commit failed', cause));
      return;
    }
    this.onCommit(batch.length);
    for (const [i, op] of batch.entries()) {
      const o = outcomes[i];
      if (o?.ok === true) op.committed?.(o.value);
    }
    if (hook !== null && hooked !== undefined) {
      if (hooked.ok) hook.committed(hooked.value);
      else hook.failed(hooked.error);
    }
    for (const [i, op] of batch.entries()) {
      const o = outcomes[i];
      if (o?.ok === true) op.resolve(o.value);
      else op.reject(o?.error);
    }
  }

  private async runOp(rows: BatchRows, fn: (tx: Tx) => Promise<unknown>): Promise<Outcome> {
    const tx = this.makeTx();
    try {
      this.savepoint.run();
      return { ok: true, value: await fn(new HeldRowsTx(tx, rows)) };
    } catch (error) {
      return { ok: false, error };
    } finally {
      tx.end();
    }
  }

  /** Writes the rows the batch held back (see BatchRows), outside any op's savepoint. */
  private async finishRows(rows: BatchRows): Promise<void> {
    const tx = this.makeTx();
    try {
      await rows.finish(tx);
    } finally {
      tx.end();
    }
  }

  /** Releases or rolls back the op's savepoint; returns the cause if the transaction was lost. */
  private endOp(outcome: Outcome): { cause: unknown } | undefined {
    if (!this.db.inTransaction) {
      return { cause: outcome.ok ? new Error('the transaction ended unexpectedly') : outcome.error };
    }
    try {
      if (!outcome.ok) this.rollbackTo.run();
      this.release.run();
      return undefined;
    } catch (cause) {
      return { cause };
    }
  }

  private rollbackQuietly(): void {
    if (!this.db.inTransaction) return;
    try {
      this.rollback.run();
    } catch {
      // The connection is unusable; the next BEGIN reports it to the callers.
    }
  }
}

interface Pending {
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  wantsHook: ((value: unknown) => boolean) | undefined;
  committed: ((value: unknown) => void) | undefined;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function storeFailure(what: string, cause: unknown): KosError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new KosError(
    'KOS_ERR_STORE_UNAVAILABLE',
    `The SQLite store failed: ${what} (${reason}). Nothing of this request was saved; retry it.`,
    { cause: reason },
  );
}
