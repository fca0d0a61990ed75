/**
 * @kos/orchestrator: the server.
 *
 * ```ts
 * import { Orchestrator, resolveConfig } from '@kos/orchestrator';
 * const orch = await Orchestrator.start(resolveConfig({ env: process.env, flags: { port: 7700 } }));
 * ```
 */
export { Orchestrator } from './orchestrator.ts';
export { resolveConfig } from './config/index.ts';
export { backupSqlite, inspectSqlite, restoreSqlite, SQLITE_FILE } from './store/sqlite/backup.ts';
export type { StoreSummary } from './store/sqlite/backup.ts';
export type { Config } from './config/index.ts';
export type { AgentState } from './registry/agent.ts';
export type { GoalState } from './scheduler/goal.ts';
export type { TaskState } from './scheduler/task.ts';
export type { WaitingCode } from './scheduler/waiting.ts';
export type { EventKind, TokenRole } from './store/records.ts';
