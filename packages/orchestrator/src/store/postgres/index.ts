/**
 * The PostgreSQL backend (pg pool, row locks, SKIP LOCKED claims): several orchestrator
 * replicas can share one database.
 *
 * ```ts
 * const backend = await openPostgresBackend({ url: 'postgres://kos@db:5432/kos' });
 * await backend.transaction(async (tx) => tx.insertGoal(goal));
 * await backend.close();
 * ```
 */
export { openPostgresBackend } from './postgres-backend.ts';
export type { PostgresBackend, PostgresBackendOptions } from './postgres-backend.ts';
