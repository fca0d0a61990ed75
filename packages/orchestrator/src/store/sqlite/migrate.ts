import type Database from 'better-sqlite3';
import { KosError } from '@kos/protocol';
import type { Migration } from './migrations.ts';

/**
 * Brings the database up to the newest migration this build knows. The missing migrations run in
 * order in one IMMEDIATE transaction together with their `schema_migrations` rows, so a crash
 * leaves either the old or the new schema, and two processes opening one file cannot both apply them.
 * A database newer than the code is refused: running old code on it could corrupt data.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], file: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const latest = migrations.at(-1)?.version ?? 0;
  const currentVersion = db.prepare<[], { v: number | null }>(
    'SELECT max(version) AS v FROM schema_migrations',
  );
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );

  const applyMissing = db.transaction(() => {
    const current = currentVersion.get()?.v ?? 0;
    if (current > latest) {
      throw new KosError(
        'KOS_ERR_STORE_UNAVAILABLE',
        `The database ${file} has schema version ${current}, but this build of kOS knows versions up to ${latest}. ` +
          'Upgrade kOS, or point it at another data directory.',
        { file, schemaVersion: current, knownVersion: latest },
      );
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }
  });
  applyMissing.immediate();
}
