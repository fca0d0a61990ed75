import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { KosError } from '@kos/protocol';
import type { BatchHook, Tx, TxOptions } from '../backend.ts';
import { isConnectionError, isRetryable, storeFailure, unavailable } from './errors.ts';
import { BatchRows } from '../batch-rows.ts';
import { HeldRowsTx } from '../held-rows-tx.ts';
import { PgTx } from './write-queries.ts';
import type { NewEventRow } from '../sqlite/rows.ts';

interface Pending {
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  attempts: number;
  wantsHook: ((value: unknown) => boolean) | undefined;
  committed: ((value: unknown) => void) | undefined;
}

/** Most transactions one batch carries: bounds the latency a batch adds and its lock span. */
const MAX_BATCH = 200;
/** Tries per transaction when PostgreSQL picks it as a deadlock or serialization victim. */
const MAX_ATTEMPTS = 5;

/** Thrown out of a batch when one of its transactions lost a deadlock: the batch is redone. */
class BatchVictim extends Error {
  constructor(
    readonly op: Pending,
    override readonly cause: unknown,
  ) {
    super('deadlock or serialization victim');
  }
}

/**
 * Group commit on PostgreSQL, as on SQLite (sqlite/group-commit.ts): the transactions queued while
 * a batch runs share the next PostgreSQL transaction, each in its own SAVEPOINT, and one COMMIT.
 *
 * Why: every transaction that writes events takes the commit-ordered event sequence (see
 * write-queries.ts) and holds it through its COMMIT's WAL flush, so one transaction per request
 * caps a whole cluster at one flush at a time (~100 tasks/s measured with 2 replicas). A batch pays
 * that flush and that lock once for up to MAX_BATCH requests.
 *
 * Each request stays atomic: a failing one is rolled back to its savepoint alone, and every
 * caller is answered only after the COMMIT returned. A deadlock or serialization victim aborts the
 * whole batch instead: the requests before it hold locks until COMMIT, so carrying on would keep
 * the peer it deadlocked with waiting and let the next request deadlock with it again (with two
 * replicas this livelocked at one deadlock per second). Every request of the batch is queued again,
 * with jitter; only the victim's attempt counts. A connection lost before COMMIT fails the batch with 503 and nothing saved; lost
 * during COMMIT, the outcome is unknown and callers are told so.
 *
 * Agent and goal rows are held back for the whole batch and written once before COMMIT
 * (BatchRows), which saves most of a result's round trips. The batch hook (BatchHook) runs after
 * the batch's requests when one that succeeded asks for it, in a savepoint of its own: a hook that
 * fails, deadlock victim included, is only rolled back.
 */
export class PgGroupCommit {
  private readonly queue: Pending[] = [];
  private flushing = false;
  private hook: BatchHook | null = null;
  /** Batches aborted because one of their transactions was a deadlock or serialization victim. */
  victims = 0;

  constructor(
    private readonly url: string,
    private readonly connect: () => Promise<pg.PoolClient>,
    private readonly onCommit: (batchSize: number) => void,
    private readonly onRedo: () => void,
  ) {}

  submit<T>(fn: (tx: Tx) => Promise<T>, options: TxOptions<T> = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const wantsHook = options.wantsHook as ((value: unknown) => boolean) | undefined;
      const committed = options.committed as ((value: unknown) => void) | undefined;
      this.queue.push({
        fn,
        resolve: resolve as (v: unknown) => void,
        reject,
        attempts: 0,
        wantsHook,
        committed,
      });
      this.kick();
    });
  }

  setHook(hook: BatchHook | null): void {
    this.hook = hook;
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.runBatch(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.kick();
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.connect();
    } catch (error) {
      for (const op of batch) op.reject(error);
      return;
    }
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken ??= error;
    };
    client.on('error', onError);
    let committing = false;
    const done: { op: Pending; value: unknown }[] = [];
    const again: Pending[] = [];
    // Callers are answered after the client went back to the pool (so a caller that checks the
    // pool right away finds it at rest).
    const answers: (() => void)[] = [];
    // After COMMIT: what committed is told (TxOptions.committed, then the hook) before any answer.
    const told: (() => void)[] = [];
    const settled = new Set<Pending>();
    try {
      await client.query('BEGIN');
      const events: NewEventRow[] = [];
      const rows = new BatchRows();
      for (const op of batch) {
        const outcome = await inSavepoint(client, rows, events, op.fn, (error) =>
          isRetryable(error) && op.attempts + 1 < MAX_ATTEMPTS ? new BatchVictim(op, error) : undefined,
        );
        if (outcome.ok) {
          done.push({ op, value: outcome.value });
          continue;
        }
        settled.add(op);
        const failure = storeFailure(
          this.url,
          outcome.error,
          'the transaction failed; nothing of it was saved',
        );
        answers.push(() => op.reject(failure));
      }
      // Told after COMMIT only: a batch that does not commit tells the hook nothing.
      let hooked: (() => void) | undefined;
      const hook = this.hook;
      if (hook !== null && done.some((d) => d.op.wantsHook?.(d.value) === true)) {
        const outcome = await inSavepoint(client, rows, events, (tx) => hook.run(tx));
        hooked = outcome.ok ? () => hook.committed(outcome.value) : () => hook.failed(outcome.error);
      }
      const tx = new PgTx(client);
      await rows.finish(tx);
      if (events.length > 0) {
        tx.addPendingEvents(events);
        await tx.flushEvents();
      }
      tx.end();
      committing = true;
      const result = await client.query('COMMIT');
      if (result.command === 'ROLLBACK') {
        throw new KosError(
          'KOS_ERR_INTERNAL',
          'PostgreSQL rolled the batch back at COMMIT; nothing was saved.',
        );
      }
      if (done.length > 0) this.onCommit(done.length);
      // In commit order; a redone batch tells nothing of its aborted attempt.
      for (const d of done) told.push(() => d.op.committed?.(d.value));
      if (hooked !== undefined) told.push(hooked);
      for (const d of done) answers.push(() => d.op.resolve(d.value));
    } catch (error) {
      if (error instanceof BatchVictim) {
        await client.query('ROLLBACK').catch((e: unknown) => (broken ??= e as Error));
        error.op.attempts++;
        this.victims++;
        this.onRedo();
        again.push(...batch.filter((op) => !settled.has(op)));
      } else {
        if (isConnectionError(error)) broken ??= error as Error;
        else await client.query('ROLLBACK').catch((e: unknown) => (broken ??= e as Error));
        const what = committing
          ? 'the connection was lost during COMMIT, so the transaction may or may not have been saved'
          : 'the transaction failed; nothing of it was saved';
        const failure = isConnectionError(error)
          ? unavailable(this.url, what, error)
          : storeFailure(this.url, error, what);
        for (const op of batch) if (!settled.has(op)) answers.push(() => op.reject(failure));
      }
    } finally {
      client.off('error', onError);
      client.release(broken);
      for (const tell of told) tell();
      for (const answer of answers) answer();
    }
    if (again.length > 0) {
      // A victim's batch runs again later, spread apart so it does not collide in lockstep.
      await delay(5 + Math.random() * 20);
      this.queue.unshift(...again);
    }
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs one transaction of the batch in a savepoint: released when `fn` resolves (its events join
 * the batch's), rolled back alone when it throws. A lost connection, or the error `escalate`
 * turns into one (a deadlock victim to redo), ends the whole batch instead.
 */
async function inSavepoint(
  client: pg.PoolClient,
  rows: BatchRows,
  events: NewEventRow[],
  fn: (tx: Tx) => Promise<unknown>,
  escalate: (error: unknown) => Error | undefined = () => undefined,
): Promise<Outcome> {
  const tx = new PgTx(client);
  await client.query('SAVEPOINT op');
  try {
    const value = await fn(new HeldRowsTx(tx, rows));
    events.push(...tx.takePendingEvents());
    await client.query('RELEASE SAVEPOINT op');
    rows.endOp(true);
    return { ok: true, value };
  } catch (error) {
    if (isConnectionError(error)) throw error;
    const fatal = escalate(error);
    if (fatal !== undefined) throw fatal;
    await client.query('ROLLBACK TO SAVEPOINT op');
    await client.query('RELEASE SAVEPOINT op');
    rows.endOp(false);
    return { ok: false, error };
  } finally {
    tx.end();
  }
}
