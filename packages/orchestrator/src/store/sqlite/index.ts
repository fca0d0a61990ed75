/**
 * The embedded SQLite backend (better-sqlite3, WAL, group commit).
 *
 * ```ts
 * const backend = await openSqliteBackend({ file: '.kos/kos.db', synchronous: 'FULL' });
 * await backend.transaction(async (tx) => tx.insertGoal(goal));
 * await backend.close();
 * ```
 */
export { openSqliteBackend } from './sqlite-backend.ts';
export type { SqliteBackend, SqliteBackendOptions } from './sqlite-backend.ts';
