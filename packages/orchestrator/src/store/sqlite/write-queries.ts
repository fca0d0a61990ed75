import type Database from 'better-sqlite3';
import { KosError } from '@kos/protocol';
import type { Agent } from '../../registry/agent.ts';
import type { Goal } from '../../scheduler/goal.ts';
import type { Task } from '../../scheduler/task.ts';
import type { WaitingChange } from '../backend.ts';
import type { A2aRemoteRecord, NewEvent, TokenRecord } from '../records.ts';
import { A2aQueries } from './a2a-queries.ts';
import { A2A_REMOTE_COLUMNS, fromA2aRemote, type A2aRemoteRow } from '../a2a-remote-rows.ts';
import {
  fromAgent,
  fromGoal,
  fromNewEvent,
  fromTask,
  fromToken,
  fromWaiting,
  type AgentRow,
  type GoalRow,
  type NewEventRow,
  type TaskRow,
  type TokenRow,
  type WaitingColumns,
} from './rows.ts';

const AGENT_COLUMNS = [
  'id',
  'name',
  'skills',
  'max_parallel',
  'state',
  'trust',
  'stats',
  'last_heartbeat_at',
  'public_key',
  'last_assigned_at',
  'health',
  'registered_at',
  'updated_at',
] as const;
const GOAL_COLUMNS = [
  'id',
  'goal',
  'context',
  'template',
  'priority',
  'state',
  'task_count',
  'succeeded_count',
  'dead_count',
  'skipped_count',
  'policy',
  'planning',
  'submitted_by',
  'created_at',
  'updated_at',
  'finished_at',
] as const;
const TASK_COLUMNS = [
  'id',
  'goal_id',
  'name',
  'skills',
  'priority',
  'estimated_duration_ms',
  'depends_on',
  'pending_deps',
  'input',
  'state',
  'attempts',
  'max_attempts',
  'epoch',
  'agent_id',
  'lease_expires_at',
  'leased_at',
  'available_at',
  'ready_key',
  'last_agent_id',
  'progress',
  'checkpoint',
  'result',
  'error',
  'policy',
  'deadline_at',
  'delegations',
  'waiting_code',
  'waiting_message',
  'waiting_since',
  'created_at',
  'updated_at',
  'finished_at',
] as const;
const WAITING_COLUMNS = ['waiting_code', 'waiting_message', 'waiting_since'] as const;
/** putTask never changes these (a task's identity and its DAG edges are fixed at insert). */
const TASK_FIXED = new Set<string>(['id', 'goal_id', 'name', 'depends_on']);
const TOKEN_COLUMNS = [
  'id',
  'hash',
  'role',
  'agent_name',
  'label',
  'created_at',
  'revoked_at',
  'expires_at',
] as const;
const EVENT_COLUMNS = ['at', 'kind', 'goal_id', 'task_id', 'agent_id', 'actor', 'data'] as const;

const insertSql = (table: string, cols: readonly string[]): string =>
  `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`;
const setList = (cols: readonly string[], from: (c: string) => string): string =>
  cols.map((c) => `${c} = ${from(c)}`).join(', ');

/** The Tx writes of the writer connection, prepared once at open. */
export class WriteQueries {
  private readonly putAgentStmt: Database.Statement<[AgentRow]>;
  private readonly insertGoalStmt: Database.Statement<[GoalRow]>;
  private readonly updateGoalStmt: Database.Statement<[GoalRow]>;
  private readonly insertTaskStmt: Database.Statement<[TaskRow]>;
  private readonly insertDepStmt: Database.Statement<[string, string]>;
  private readonly updateTaskStmt: Database.Statement<[TaskRow]>;
  private readonly insertEventStmt: Database.Statement<[NewEventRow]>;
  private readonly insertTokenStmt: Database.Statement<[TokenRow]>;
  private readonly putTokenStmt: Database.Statement<[TokenRow]>;
  private readonly putA2aRemoteStmt: Database.Statement<[A2aRemoteRow]>;
  private readonly deleteA2aRemoteStmt: Database.Statement<[string]>;
  // Multi-row writes run in a nested savepoint (better-sqlite3 nests db.transaction), so a caller
  // that catches a failed insertTasks inside its transaction is not left with half of the rows.
  readonly insertTasks: (tasks: readonly Task[]) => void;
  readonly appendEvents: (events: readonly NewEvent[]) => void;
  readonly setWaiting: (changes: readonly WaitingChange[]) => void;

  /** The A2A tables' writes (on the writer connection). */
  readonly a2a: A2aQueries;

  constructor(db: Database.Database) {
    this.a2a = new A2aQueries(db);
    const notId = (c: string): boolean => c !== 'id';
    this.putAgentStmt = db.prepare(
      `${insertSql('agents', AGENT_COLUMNS)} ON CONFLICT (id) DO UPDATE SET ` +
        setList(AGENT_COLUMNS.filter(notId), (c) => `excluded.${c}`),
    );
    this.insertGoalStmt = db.prepare(insertSql('goals', GOAL_COLUMNS));
    this.updateGoalStmt = db.prepare(
      `UPDATE goals SET ${setList(GOAL_COLUMNS.filter(notId), (c) => `@${c}`)} WHERE id = @id`,
    );
    this.insertTaskStmt = db.prepare(insertSql('tasks', TASK_COLUMNS));
    this.insertDepStmt = db.prepare('INSERT OR IGNORE INTO task_deps (depends_on, task_id) VALUES (?, ?)');
    this.updateTaskStmt = db.prepare(
      `UPDATE tasks SET ${setList(
        TASK_COLUMNS.filter((c) => !TASK_FIXED.has(c)),
        (c) => `@${c}`,
      )} WHERE id = @id`,
    );
    this.insertEventStmt = db.prepare(insertSql('events', EVENT_COLUMNS));
    this.insertTokenStmt = db.prepare(insertSql('tokens', TOKEN_COLUMNS));
    this.putA2aRemoteStmt = db.prepare(
      `${insertSql('a2a_remotes', A2A_REMOTE_COLUMNS)} ON CONFLICT (agent_id) DO UPDATE SET ` +
        setList(
          A2A_REMOTE_COLUMNS.filter((c) => c !== 'agent_id' && c !== 'added_at'),
          (c) => `excluded.${c}`,
        ),
    );
    this.deleteA2aRemoteStmt = db.prepare('DELETE FROM a2a_remotes WHERE agent_id = ?');
    this.putTokenStmt = db.prepare(
      `${insertSql('tokens', TOKEN_COLUMNS)} ON CONFLICT (id) DO UPDATE SET ` +
        setList(TOKEN_COLUMNS.filter(notId), (c) => `excluded.${c}`),
    );

    this.insertTasks = db.transaction((tasks: readonly Task[]) => {
      // Rows first, edges second: a dependency may be declared before the task it points to.
      for (const t of tasks) this.insertTaskStmt.run(fromTask(t));
      for (const t of tasks) for (const dep of t.dependsOn) this.insertDepStmt.run(dep, t.id);
    });
    this.appendEvents = db.transaction((events: readonly NewEvent[]) => {
      for (const e of events) this.insertEventStmt.run(fromNewEvent(e));
    });
    const setWaitingStmt = db.prepare<[WaitingColumns & { id: string }]>(
      `UPDATE tasks SET ${setList(WAITING_COLUMNS, (c) => `@${c}`)} WHERE id = @id`,
    );
    this.setWaiting = db.transaction((changes: readonly WaitingChange[]) => {
      for (const c of changes) setWaitingStmt.run({ id: c.taskId, ...fromWaiting(c.waiting) });
    });
  }

  putAgent(agent: Agent): void {
    this.putAgentStmt.run(fromAgent(agent));
  }

  insertGoal(goal: Goal): void {
    this.insertGoalStmt.run(fromGoal(goal));
  }

  putGoal(goal: Goal): void {
    if (this.updateGoalStmt.run(fromGoal(goal)).changes === 0) {
      throw new KosError('KOS_ERR_GOAL_NOT_FOUND', `Cannot update goal ${goal.id}: no goal has this id.`, {
        goalId: goal.id,
      });
    }
  }

  putTask(task: Task): void {
    if (this.updateTaskStmt.run(fromTask(task)).changes === 0) {
      throw new KosError('KOS_ERR_TASK_NOT_FOUND', `Cannot update task ${task.id}: no task has this id.`, {
        taskId: task.id,
      });
    }
  }

  insertToken(token: TokenRecord): void {
    this.insertTokenStmt.run(fromToken(token));
  }

  putToken(token: TokenRecord): void {
    this.putTokenStmt.run(fromToken(token));
  }

  putA2aRemote(remote: A2aRemoteRecord): void {
    this.putA2aRemoteStmt.run(fromA2aRemote(remote));
  }

  deleteA2aRemote(agentId: string): boolean {
    return this.deleteA2aRemoteStmt.run(agentId).changes > 0;
  }
}
