import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Test helper: a fresh PostgreSQL database per test file, on the local service (or the server
 * of KOS_TEST_PG_URL, a URL of its maintenance database). The PostgreSQL tests never skip: an
 * unreachable server fails them with a message naming the service.
 *
 * ```ts
 * let db: TestDatabase;
 * beforeAll(async () => { db = await createTestDatabase(); });
 * afterAll(async () => { await db.drop(); });
 * ```
 */
export const ADMIN_URL = process.env.KOS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The store's tables in an order that deletes children before their parents. */
const CLEARED_TABLES = [
  'a2a_push_configs',
  'a2a_tasks',
  'task_deps',
  'events',
  'tasks',
  'goals',
  'a2a_remotes',
  'agents',
  'tokens',
];
const KNOWN_TABLES = [...CLEARED_TABLES, 'event_seq', 'schema_migrations'];

export interface TestDatabase {
  name: string;
  /** URL of the new database, with `application_name` set so its connections can be found. */
  url: string;
  /** Runs SQL in the test database on a short-lived connection. */
  query<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]>;
  /** Empties every table but schema_migrations and restarts the event seq (a clean slate per test). */
  reset(): Promise<void>;
  /** Connections to this database, as pg_stat_activity sees them. */
  connections(): Promise<number>;
  /** Checks no connection to it remains (waiting briefly for closed ones to go), then drops it. */
  drop(): Promise<void>;
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `The PostgreSQL service is not reachable at ${url} (${reason}). These tests need the local PostgreSQL ` +
        'server (see shared/services.md: pg_ctlcluster --skip-systemctl-redirect <version> main start), ' +
        'or KOS_TEST_PG_URL pointing at one.',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string, appName: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  u.searchParams.set('application_name', appName);
  return u.toString();
}

export async function createTestDatabase(prefix = 'kos_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(ADMIN_URL, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(ADMIN_URL, name, name);
  const direct = withDatabase(ADMIN_URL, name, `${name}_helper`);
  const countConnections = (): Promise<number> =>
    admin(ADMIN_URL, async (c) => {
      const r = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      return r.rows[0]?.n ?? 0;
    });
  return {
    name,
    url,
    query: (sql, values) => admin(direct, async (c) => (await c.query(sql, values)).rows),
    async reset() {
      await admin(direct, async (c) => {
        const found = await c.query<{ t: string }>(
          `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
        );
        const tables = found.rows.map((r) => r.t);
        if (tables.length === 0) return; // not migrated yet: nothing to clear
        const unknown = tables.filter((t) => !KNOWN_TABLES.includes(t));
        if (unknown.length > 0)
          throw new Error(`reset() does not know table(s) ${unknown.join(', ')}: add them`);
        // DELETE, children first: on these small tables it is ~10x faster than TRUNCATE's file swaps.
        await c.query(
          `${CLEARED_TABLES.map((t) => `DELETE FROM ${t};`).join(' ')} UPDATE event_seq SET last = 0`,
        );
      });
    },
    connections: countConnections,
    async drop() {
      // A closed connection's server process exits a moment after the client hung up.
      let open = await countConnections();
      for (let i = 0; open > 0 && i < 50; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        open = await countConnections();
      }
      await admin(ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      if (open > 0) throw new Error(`${open} connection(s) to ${name} were still open when the tests ended`);
    },
  };
}

/** What a promise the test expects to fail rejected with (the test checks its code). */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
