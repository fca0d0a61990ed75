import { TcpProxy } from '@kos/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isKosError } from '@kos/protocol';
import { goal } from '../../records.fixture.ts';
import {
  openPostgresBackend,
  type PostgresBackend,
  type PostgresBackendOptions,
} from './postgres-backend.ts';
import { createTestDatabase, rejectionOf, type TestDatabase } from './test-database.ts';

/**
 * When the database fails: nothing listening, a connection terminated mid-transaction, the server
 * unreachable and back. Every refusal is KOS_ERR_STORE_UNAVAILABLE and the backend recovers alone.
 */
let db: TestDatabase;
const open: PostgresBackend[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function openBackend(options: Partial<PostgresBackendOptions> = {}): Promise<PostgresBackend> {
  const b = await openPostgresBackend({ url: db.url, ...options });
  open.push(b);
  return b;
}

describe('PostgreSQL backend when the database fails', () => {
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    await db.reset();
  });

  it('fails fast with KOS_ERR_STORE_UNAVAILABLE when nothing listens on the port', async () => {
    const started = Date.now();
    const url = new URL(db.url);
    url.port = '1';
    const error = await rejectionOf(openPostgresBackend({ url: url.toString(), connectTimeoutMs: 2000 }));
    expect(isKosError(error) && error.code).toBe('KOS_ERR_STORE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails the open transaction with KOS_ERR_STORE_UNAVAILABLE when its connection is terminated, then carries on', async () => {
    const b = await openBackend();
    const g = goal();
    await b.transaction((tx) => tx.insertGoal(g));
    const error = await rejectionOf(
      b.transaction(async (tx) => {
        await tx.getGoal(g.id);
        await db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
          db.name,
        ]);
        await tx.putGoal({ ...g, succeededCount: 1 });
      }),
    );
    expect(isKosError(error) && error.code).toBe('KOS_ERR_STORE_UNAVAILABLE');
    expect(await b.ping()).toBe(true);
    await b.transaction((tx) => tx.putGoal({ ...g, succeededCount: 2 }));
    expect((await b.read((tx) => tx.getGoal(g.id)))?.succeededCount).toBe(2);
  });

  it('answers KOS_ERR_STORE_UNAVAILABLE and ping false while the server is unreachable, and recovers by itself', async () => {
    const proxy = await TcpProxy.start(5432);
    try {
      const url = new URL(db.url);
      url.port = String(proxy.port);
      const b = await openBackend({ url: url.toString(), connectTimeoutMs: 1000 });
      const g = goal();
      await b.transaction((tx) => tx.insertGoal(g));

      await proxy.stop();
      const started = Date.now();
      const error = await rejectionOf(b.transaction((tx) => tx.getGoal(g.id)));
      expect(isKosError(error) && error.code).toBe('KOS_ERR_STORE_UNAVAILABLE');
      const readError = await rejectionOf(b.read((tx) => tx.getGoal(g.id)));
      expect(isKosError(readError) && readError.code).toBe('KOS_ERR_STORE_UNAVAILABLE');
      expect(await b.ping()).toBe(false);
      expect(Date.now() - started).toBeLessThan(3000);

      await proxy.resume();
      expect(await b.ping()).toBe(true);
      expect(await b.transaction((tx) => tx.getGoal(g.id))).toEqual(g);
    } finally {
      await proxy.stop();
    }
  });
});
