import type pg from 'pg';
import { KosError } from '@kos/protocol';
import { redact } from './errors.ts';
import type { Migration } from './migrations.ts';

/**
 * Key of the transaction-level advisory lock that serializes migrations: several orchestrator
 * replicas starting together against one database wait for each other here, and all but the
 * first find nothing left to apply. (0x6b6f73 is "kos"; the suffix names the duty.)
 */
export const MIGRATION_LOCK_KEY = 0x6b6f73_0001;

/**
 * Brings the database up to the newest migration this build knows, in one transaction under
 * `pg_advisory_xact_lock`: the missing migrations and their `schema_migrations` rows commit
 * together or not at all (PostgreSQL DDL is transactional), and the lock is released by that
 * COMMIT or ROLLBACK, even if the process dies. A database newer than the code is refused:
 * running old code on it could corrupt data.
 */
export async function migrate(
  client: pg.ClientBase,
  migrations: readonly Migration[],
  url: string,
): Promise<void> {
  const latest = migrations.at(-1)?.version ?? 0;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at BIGINT NOT NULL
    )`);
    const found = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const current = found.rows[0]?.v ?? 0;
    if (current > latest) {
      throw new KosError(
        'KOS_ERR_STORE_UNAVAILABLE',
        `The PostgreSQL database ${redact(url)} has schema version ${current}, but this build of kOS knows versions up to ${latest}. ` +
          'Upgrade kOS, or point it at another database.',
        { url: redact(url), schemaVersion: current, knownVersion: latest },
      );
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
