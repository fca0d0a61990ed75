import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KosError } from '@kos/protocol';

/**
 * Online backups of the embedded store. SQLite's backup API copies a consistent snapshot while the
 * orchestrator keeps writing (WAL: the copy reads one snapshot, the writer is not blocked), so
 * everything acknowledged before the backup started is in it. The copy is written beside the
 * target and renamed into place after an integrity check: a target never holds half a backup.
 */

/** The embedded store's file in a data directory. */
export const SQLITE_FILE = 'kos.db';

export interface StoreSummary {
  file: string;
  bytes: number;
  schemaVersion: number;
  goals: number;
  tasks: number;
  events: number;
  lastEventSeq: number;
}

/** Opens a kOS SQLite file read-only and says what it holds; throws if it is not one or is damaged. */
export function inspectSqlite(file: string): StoreSummary {
  if (!existsSync(file)) throw new KosError('KOS_ERR_BACKUP_INVALID', `${file} does not exist`, { file });
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`integrity check: ${String(integrity)}`);
    const one = (sql: string) => Number((db!.prepare(sql).get() as { n: number | null }).n ?? 0);
    return {
      file,
      bytes: statSync(file).size,
      schemaVersion: one('SELECT max(version) AS n FROM schema_migrations'),
      goals: one('SELECT count(*) AS n FROM goals'),
      tasks: one('SELECT count(*) AS n FROM tasks'),
      events: one('SELECT count(*) AS n FROM events'),
      lastEventSeq: one('SELECT max(seq) AS n FROM events'),
    };
  } catch (cause) {
    if (cause instanceof KosError) throw cause;
    throw new KosError(
      'KOS_ERR_BACKUP_INVALID',
      `${file} is not a readable kOS store (${cause instanceof Error ? cause.message : String(cause)})`,
      { file },
    );
  } finally {
    db?.close();
  }
}

/** Copies the live store `source` to `target` (refused if it exists, unless `overwrite`). */
export async function backupSqlite(
  source: string,
  target: string,
  opts: { overwrite?: boolean } = {},
): Promise<StoreSummary> {
  if (existsSync(target) && opts.overwrite !== true) {
    throw new KosError('KOS_ERR_FILE_EXISTS', `${target} exists; pass --force to replace it`, {
      path: target,
    });
  }
  inspectSqlite(source);
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(partial);
  } finally {
    db.close();
  }
  const summary = inspectSqlite(partial);
  renameSync(partial, target);
  return { ...summary, file: target };
}

/**
 * Puts a backup in place as the store `target` (the orchestrator must be stopped). An existing
 * store is kept beside it as `<target>.replaced-<time>` (only with `overwrite`), and its WAL and
 * shared-memory files, which belong to it and not to the backup, are moved with it.
 */
export async function restoreSqlite(
  backup: string,
  target: string,
  opts: { overwrite?: boolean; now?: number } = {},
): Promise<StoreSummary & { replaced: string | null }> {
  inspectSqlite(backup);
  let replaced: string | null = null;
  if (existsSync(target)) {
    if (opts.overwrite !== true) {
      throw new KosError(
        'KOS_ERR_FILE_EXISTS',
        `${target} exists; stop the orchestrator and pass --force to replace it (it is kept beside it)`,
        { path: target },
      );
    }
    replaced = `${target}.replaced-${opts.now ?? Date.now()}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(target + suffix)) renameSync(target + suffix, replaced + suffix);
    }
  }
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  const db = new Database(backup, { readonly: true, fileMustExist: true });
  try {
    await db.backup(partial);
  } finally {
    db.close();
  }
  renameSync(partial, target);
  return { ...inspectSqlite(target), replaced };
}
