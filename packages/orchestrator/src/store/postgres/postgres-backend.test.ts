import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isKosError } from '@kos/protocol';
import type { Task } from '../../scheduler/task.ts';
import { runBackendContract } from '../backend-contract.ts';
import { event, goal, task } from '../../records.fixture.ts';
import { MIGRATIONS } from './migrations.ts';
import {
  openPostgresBackend,
  type PostgresBackend,
  type PostgresBackendOptions,
} from './postgres-backend.ts';
import { createTestDatabase, rejectionOf, type TestDatabase } from './test-database.ts';

let db: TestDatabase;
const open: PostgresBackend[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
  await db?.drop();
});

/** Opens a backend on the file's database (or another URL) and closes it after the test. */
async function openBackend(options: Partial<PostgresBackendOptions> = {}): Promise<PostgresBackend> {
  const b = await openPostgresBackend({ url: db.url, ...options });
  open.push(b);
  return b;
}

/** No connection of the backend is still checked out: a leak would show as total > idle. */
function expectNoLeak(b: PostgresBackend): void {
  const s = b.poolStats();
  expect(s.total, 'pooled connections still checked out').toBe(s.idle);
  expect(s.waiting).toBe(0);
}

runBackendContract('postgres', async () => {
  await db.reset();
  const backend = await openPostgresBackend({ url: db.url });
  return {
    backend,
    cleanup: async () => {
      expectNoLeak(backend);
      await backend.close();
    },
  };
});

/** A promise with its resolve function, to hold a transaction open until the test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('PostgreSQL backend', () => {
  afterEach(async () => {
    for (const b of open.splice(0)) {
      expectNoLeak(b);
      await b.close();
    }
    await db.reset();
  });

  it('gives two concurrent transactions disjoint ready tasks (FOR UPDATE SKIP LOCKED)', async () => {
    // Within one backend, transactions share group-commit batches one at a time; concurrent
    // transactions come from separate backends, as from separate orchestrator replicas.
    const b = await openBackend();
    const other = await openBackend();
    const g = goal();
    const ready = [5, 1, 4, 2, 3, 6].map((k) => task(g.id, { state: 'ready', readyKey: k, availableAt: 0 }));
    await b.transaction(async (tx) => {
      await tx.insertGoal(g);
      await tx.insertTasks(ready);
    });
    const held = gate();
    const claimed = gate();
    let first: Task[] = [];
    const t1 = b.transaction(async (tx) => {
      first = await tx.listReadyTasks(100, 2);
      claimed.open();
      await held.opened;
    });
    await claimed.opened;
    const second = await other.transaction((tx) => tx.listReadyTasks(100, 2));
    // Outside a transaction nothing is locked or skipped.
    const unlocked = await b.read((tx) => tx.listReadyTasks(100, 2));
    held.open();
    await t1;
    const byKey = [...ready].sort((x, y) => x.readyKey - y.readyKey).map((t) => t.id);
    expect(first.map((t) => t.id)).toEqual(byKey.slice(0, 2));
    expect(second.map((t) => t.id)).toEqual(byKey.slice(2, 4));
    expect(unlocked.map((t) => t.id)).toEqual(byKey.slice(0, 2));
  });

  it('makes a get inside a transaction wait for the row lock, then see the committed write', async () => {
    // Within one backend, transactions share group-commit batches one at a time; concurrent
    // transactions come from separate backends, as from separate orchestrator replicas.
    const b = await openBackend();
    const other = await openBackend();
    const g = goal({ succeededCount: 0 });
    await b.transaction((tx) => tx.insertGoal(g));
    const held = gate();
    const locked = gate();
    const t1 = b.transaction(async (tx) => {
      await tx.getGoal(g.id);
      locked.open();
      await held.opened;
      await tx.putGoal({ ...g, succeededCount: 7 });
    });
    await locked.opened;
    const t2 = other.transaction(async (tx) => (await tx.getGoal(g.id))?.succeededCount);
    // Wait until PostgreSQL shows the second transaction blocked on a lock.
    for (;;) {
      const [row] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
        [db.name],
      );
      if (row!.n > 0) break;
    }
    held.open();
    await t1;
    expect(await t2).toBe(7);
  });

  it('numbers events in commit order: one committed later never gets a smaller seq', async () => {
    // Within one backend, transactions share group-commit batches one at a time; concurrent
    // transactions come from separate backends, as from separate orchestrator replicas.
    const b = await openBackend();
    const other = await openBackend();
    const held = gate();
    const appended = gate();
    const slow = b.transaction(async (tx) => {
      await tx.appendEvents([event({ actor: 'slow' })]);
      appended.open();
      await held.opened;
    });
    await appended.opened;
    await other.transaction((tx) => tx.appendEvents([event({ actor: 'fast' })]));
    const seen = await b.read((tx) => tx.listEvents({ limit: 10 }));
    expect(seen.map((e) => e.actor)).toEqual(['fast']);
    held.open();
    await slow;
    const later = await b.read((tx) => tx.listEvents({ afterSeq: seen[0]!.seq, limit: 10 }));
    expect(later.map((e) => e.actor)).toEqual(['slow']);
  });

  it('keeps JSON values byte-exact, including what JSONB would reorder or refuse', async () => {
    const b = await openBackend();
    const g = goal();
    const input = {
      zebra: 1,
      apple: [2, 1e21, 2 ** 64, 0.1 + 0.2, -0, 5e-324],
      nul: 'a\u0000b',
      lone: '\ud800',
    };
    const [t] = [task(g.id, { input })];
    await b.transaction(async (tx) => {
      await tx.insertGoal(g);
      await tx.insertTasks([t!]);
    });
    const [raw] = await db.query<{ input: string }>('SELECT input FROM tasks WHERE id = $1', [t!.id]);
    expect(raw!.input).toBe(JSON.stringify(input));
    const back = (await b.read((tx) => tx.getTask(t!.id)))!.input;
    expect(back).toEqual(JSON.parse(JSON.stringify(input)));
    expect(Object.keys(back as object)).toEqual(['zebra', 'apple', 'nul', 'lone']);
  });

  it('shows a transaction its own buffered events', async () => {
    const b = await openBackend();
    const own = await b.transaction(async (tx) => {
      await tx.appendEvents([event({ actor: 'me' })]);
      return tx.listEvents({ limit: 10 });
    });
    expect(own.map((e) => e.actor)).toEqual(['me']);
  });

  /**
   * Within one backend, transactions share group-commit batches one at a time; concurrent
   * transactions come from separate backends, as from separate orchestrator replicas.
   */
  async function twoReplicasAndTwoGoals(options: Partial<PostgresBackendOptions> = {}) {
    const b = await openBackend(options);
    const other = await openBackend();
    const [ga, gb] = [goal(), goal()];
    await b.transaction(async (tx) => {
      await tx.insertGoal(ga);
      await tx.insertGoal(gb);
    });
    return { b, other, ga, gb };
  }

  it('retries a transaction that PostgreSQL aborted as a deadlock victim', async () => {
    const { b, other, ga, gb } = await twoReplicasAndTwoGoals();
    const aLocked = gate();
    const bLocked = gate();
    let runs = 0;
    const cross = (
      via: PostgresBackend,
      first: string,
      second: string,
      mine: ReturnType<typeof gate>,
      theirs: Promise<void>,
    ) =>
      via.transaction(async (tx) => {
        runs++;
        await tx.getGoal(first);
        mine.open();
        await theirs;
        await tx.getGoal(second);
        return first;
      });
    const results = await Promise.all([
      cross(b, ga.id, gb.id, aLocked, bLocked.opened),
      cross(other, gb.id, ga.id, bLocked, aLocked.opened),
    ]);
    expect(results).toEqual([ga.id, gb.id]);
    expect(runs).toBe(3);
  });

  it('redoes the whole batch of a deadlock victim, so the locks its earlier transactions took are released, and tells it committed once', async () => {
    let redone = 0;
    const { b, other, ga, gb } = await twoReplicasAndTwoGoals({ onRedo: () => redone++ });
    const aLocked = gate();
    const bLocked = gate();
    const runs = { first: 0, second: 0, other: 0 };
    const told: string[] = [];
    const committed = (value: string) => told.push(value);
    // One batch on `b`: the first transaction locks goal A; the second then waits for goal B, which
    // `other` holds. `other` asks for A a little later, so `b` is the one whose deadlock check
    // fires first: it is the victim.
    const batch = Promise.all([
      b.transaction(
        async (tx) => {
          runs.first++;
          await tx.getGoal(ga.id);
          aLocked.open();
          return 'first';
        },
        { committed },
      ),
      b.transaction(
        async (tx) => {
          runs.second++;
          await bLocked.opened;
          await tx.getGoal(gb.id);
          return 'second';
        },
        { committed },
      ),
    ]);
    const crossing = other.transaction(async (tx) => {
      runs.other++;
      await tx.getGoal(gb.id);
      bLocked.open();
      await aLocked.opened;
      await delay(300);
      await tx.getGoal(ga.id);
      return 'other';
    });
    expect(await Promise.all([batch, crossing])).toEqual([['first', 'second'], 'other']);
    // The victim's batch was rolled back whole (its first transaction's lock on A released, so
    // `other` could finish) and redone; `other` ran once.
    expect(b.abortedBatches).toBe(1);
    expect(redone).toBe(1);
    expect(runs).toEqual({ first: 2, second: 2, other: 1 });
    // Only the attempt that committed is told (store effects are published once).
    expect(told).toEqual(['first', 'second']);
  });

  it('runs the migrations once when two backends open a new database together', async () => {
    const fresh = await createTestDatabase('kos_test_migrate');
    try {
      const [a, b] = await Promise.all([
        openPostgresBackend({ url: fresh.url }),
        openPostgresBackend({ url: fresh.url }),
      ]);
      await Promise.all([a.close(), b.close()]);
      const rows = await fresh.query('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    } finally {
      await fresh.drop();
    }
  });

  it('refuses a database whose schema is newer than this build', async () => {
    await db.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`);
    try {
      const error = await rejectionOf(openPostgresBackend({ url: db.url }));
      expect(isKosError(error) && error.code).toBe('KOS_ERR_STORE_UNAVAILABLE');
      expect((error as Error).message).toContain('schema version 999');
    } finally {
      await db.query('DELETE FROM schema_migrations WHERE version = 999');
    }
  });

  it('close waits for a running transaction, then rejects new calls with KOS_ERR_NOT_READY', async () => {
    const b = await openPostgresBackend({ url: db.url });
    const held = gate();
    const started = gate();
    const g = goal();
    const running = b.transaction(async (tx) => {
      started.open();
      await held.opened;
      await tx.insertGoal(g);
    });
    await started.opened;
    const closing = b.close();
    const error = await rejectionOf(b.read((tx) => tx.getGoal(g.id)));
    expect(isKosError(error) && error.code).toBe('KOS_ERR_NOT_READY');
    held.open();
    await running;
    await closing;
    expect(await b.ping()).toBe(false);
    expect(b.poolStats().total).toBe(0);
    expect(await db.query('SELECT id FROM goals')).toEqual([{ id: g.id }]);
    const late = await rejectionOf(b.transaction(async () => 1));
    expect(isKosError(late) && late.code).toBe('KOS_ERR_NOT_READY');
  });

  it('counts one commit per committed transaction and none for a rolled back one', async () => {
    const commits: number[] = [];
    const b = await openBackend({ onCommit: (n) => commits.push(n) });
    await b.transaction(async () => undefined);
    await rejectionOf(b.transaction(async () => Promise.reject(new Error('no'))));
    await b.transaction((tx) => tx.insertGoal(goal()));
    expect(commits).toEqual([1, 1]);
  });

  it('rejects options it cannot use with KOS_ERR_CONFIG_INVALID', async () => {
    for (const bad of [
      { url: 'mysql://db/kos' },
      { url: db.url, poolSize: 1 },
      { url: db.url, connectTimeoutMs: 0 },
    ]) {
      const error = await rejectionOf(openPostgresBackend(bad));
      expect(isKosError(error) && error.code).toBe('KOS_ERR_CONFIG_INVALID');
    }
  });
});

/** A TCP relay to the PostgreSQL port that the test can cut and restore, on loopback only. */
