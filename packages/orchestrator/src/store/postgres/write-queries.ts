import { KosError } from '@kos/protocol';
import type { Agent } from '../../registry/agent.ts';
import type { Goal } from '../../scheduler/goal.ts';
import type { Task } from '../../scheduler/task.ts';
import type { EventFilter, Tx, WaitingChange } from '../backend.ts';
import type {
  A2aPushConfig,
  A2aRemoteRecord,
  A2aTaskRecord,
  EventRecord,
  NewEvent,
  TokenRecord,
} from '../records.ts';
import { fromPushConfig } from '../sqlite/a2a-queries.ts';
import { fromA2aRemote } from '../a2a-remote-rows.ts';
import {
  fromAgent,
  fromGoal,
  fromNewEvent,
  fromTask,
  fromToken,
  fromWaiting,
  type NewEventRow,
  type TaskRow,
} from '../sqlite/rows.ts';
import type { Db, Statement } from './db.ts';
import { a2aStatement, PgReadTx } from './read-queries.ts';

/** Columns with the PostgreSQL array type their unnest() parameter is cast to. */
const AGENT = cols(
  'id name skills max_parallel:int state trust:float8 stats last_heartbeat_at:int8',
  'public_key last_assigned_at:int8 health registered_at:int8 updated_at:int8',
);
const GOAL = cols(
  'id goal context template priority state task_count:int succeeded_count:int',
  'dead_count:int skipped_count:int policy planning',
  'submitted_by created_at:int8 updated_at:int8 finished_at:int8',
);
const TASK = cols(
  'id goal_id name skills priority estimated_duration_ms:int8 depends_on pending_deps:int',
  'input state attempts:int max_attempts:int epoch:int8 agent_id lease_expires_at:int8 leased_at:int8',
  'available_at:int8 ready_key:float8 last_agent_id progress:float8 checkpoint result error',
  'policy deadline_at:int8 delegations waiting_code waiting_message waiting_since:int8',
  'created_at:int8 updated_at:int8 finished_at:int8',
);
const TOKEN = cols('id hash role agent_name label created_at:int8 revoked_at:int8 expires_at:int8');
const EVENT = cols('at:int8 kind goal_id task_id agent_id actor data');

interface Column {
  name: string;
  type: string;
}

function cols(...specs: string[]): Column[] {
  return specs
    .join(' ')
    .split(' ')
    .map((spec) => {
      const [name = '', type = 'text'] = spec.split(':');
      return { name, type };
    });
}

const names = (c: readonly Column[]): string => c.map((x) => x.name).join(', ');
const placeholders = (c: readonly Column[]): string => c.map((_, i) => `$${i + 1}`).join(', ');
const upsert = (table: string, c: readonly Column[]): string =>
  `INSERT INTO ${table} (${names(c)}) VALUES (${placeholders(c)}) ON CONFLICT (id) DO UPDATE SET ` +
  c
    .filter((x) => x.name !== 'id')
    .map((x) => `${x.name} = EXCLUDED.${x.name}`)
    .join(', ');
/** `UPDATE … WHERE id = $1`: $1 is the id, then the changeable columns in order. */
const updatable = (c: readonly Column[], fixed: ReadonlySet<string>): Column[] => [
  { name: 'id', type: 'text' },
  ...c.filter((x) => x.name !== 'id' && !fixed.has(x.name)),
];
const update = (table: string, c: readonly Column[]): string =>
  `UPDATE ${table} SET ` +
  c
    .slice(1)
    .map((x, i) => `${x.name} = $${i + 2}`)
    .join(', ') +
  ' WHERE id = $1';
/** A multi-row insert in one statement: one array parameter per column, rows kept in order. */
const unnestFrom = (c: readonly Column[], first = 1): string =>
  `unnest(${c.map((x, i) => `$${i + first}::${x.type}[]`).join(', ')}) WITH ORDINALITY AS u(${names(c)}, ord)`;

/** putTask never changes these (a task's identity and its DAG edges are fixed at insert). */
const TASK_UPDATE = updatable(TASK, new Set(['goal_id', 'name', 'depends_on']));
const GOAL_UPDATE = updatable(GOAL, new Set());

const SQL = {
  putAgent: upsert('agents', AGENT),
  insertGoal: `INSERT INTO goals (${names(GOAL)}) VALUES (${placeholders(GOAL)})`,
  putGoal: update('goals', GOAL_UPDATE),
  insertTasks: `INSERT INTO tasks (${names(TASK)}) SELECT ${names(TASK)} FROM ${unnestFrom(TASK)} ORDER BY ord`,
  insertDeps: `INSERT INTO task_deps (depends_on, task_id)
    SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
  putTask: update('tasks', TASK_UPDATE),
  setWaiting: `UPDATE tasks AS t SET waiting_code = u.code, waiting_message = u.message, waiting_since = u.since
    FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[]) AS u(id, code, message, since)
    WHERE t.id = u.id`,
  insertToken: `INSERT INTO tokens (${names(TOKEN)}) VALUES (${placeholders(TOKEN)})`,
  putToken: upsert('tokens', TOKEN),
  putA2aRemote: `INSERT INTO a2a_remotes (agent_id, card_url, card, token, added_at, updated_at)
    VALUES ($1, $2, $3, $4, $5::int8, $6::int8) ON CONFLICT (agent_id) DO UPDATE SET
    card_url = EXCLUDED.card_url, card = EXCLUDED.card, token = EXCLUDED.token, updated_at = EXCLUDED.updated_at`,
  deleteA2aRemote: 'DELETE FROM a2a_remotes WHERE agent_id = $1 RETURNING agent_id',
  /**
   * Event seq numbers are taken at commit time from the one-row counter `event_seq`, in the
   * same statement that inserts the events, as the transaction's last step before COMMIT.
   *
   * Why not a sequence (BIGSERIAL): sequence values are handed out when the INSERT runs, not
   * when its transaction commits, so a transaction that took seq 10 may commit after another
   * took 11 and committed; a reader paging with `afterSeq = 11` would then never see 10. Here
   * the counter row stays locked from this UPDATE until COMMIT, so the next transaction gets
   * its range only after this one is committed and visible: seq order is commit order.
   *
   * Cost: the transactions that append events serialize on that row for the length of this
   * statement plus their COMMIT (one WAL flush), so they commit one after another and PostgreSQL
   * cannot fold their WAL flushes into one. Transactions without events never touch the row.
   * Measured on the 2-core dev VM (busy with other tests), 2000 single-row transactions started
   * at once: ~900–1900/s without an event, ~360–510/s with one event each (pool 10–20); SQLite
   * with group commit does ~15,000–35,000/s. If this becomes the bottleneck, the way out is a
   * sequence plus a visibility horizon (store each event's xid8; readers stop below
   * pg_snapshot_xmin(pg_current_snapshot())): commits run in parallel, reads get more complex.
   */
  insertEvents: `WITH r AS (UPDATE event_seq SET last = last + $1 RETURNING last)
    INSERT INTO events (seq, ${names(EVENT)})
    SELECT r.last - $1 + u.ord, ${EVENT.map((x) => `u.${x.name}`).join(', ')}
    FROM r, ${unnestFrom(EVENT, 2)}`,
} as const;

/** One array per column, for an unnest() insert. */
function columnArrays<R extends object>(c: readonly Column[], rows: readonly R[]): unknown[][] {
  return c.map((x) => rows.map((r) => (r as Record<string, unknown>)[x.name] ?? null));
}
function rowValues<R extends object>(c: readonly Column[], row: R): unknown[] {
  return c.map((x) => (row as Record<string, unknown>)[x.name] ?? null);
}

/**
 * The Tx of one PostgreSQL transaction. Events appended are buffered and written by
 * `flushEvents()`, which the backend calls right before COMMIT (see SQL.insertEvents); a
 * `listEvents` inside the transaction flushes first, so the transaction sees its own events.
 */
export class PgTx extends PgReadTx implements Tx {
  private pendingEvents: NewEventRow[] = [];

  constructor(db: Db) {
    super(db, true);
  }

  async putAgent(agent: Agent): Promise<void> {
    await this.rows({
      name: 'kos_w_putAgent',
      text: SQL.putAgent,
      values: rowValues(AGENT, fromAgent(agent)),
    });
  }
  async insertGoal(goal: Goal): Promise<void> {
    await this.rows({
      name: 'kos_w_insertGoal',
      text: SQL.insertGoal,
      values: rowValues(GOAL, fromGoal(goal)),
    });
  }
  async putGoal(goal: Goal): Promise<void> {
    this.check();
    const r = await this.db.query({
      name: 'kos_w_putGoal',
      text: SQL.putGoal,
      values: rowValues(GOAL_UPDATE, fromGoal(goal)),
    });
    if (r.rowCount === 0) {
      throw new KosError('KOS_ERR_GOAL_NOT_FOUND', `Cannot update goal ${goal.id}: no goal has this id.`, {
        goalId: goal.id,
      });
    }
  }
  async insertTasks(tasks: readonly Task[]): Promise<void> {
    if (tasks.length === 0) return;
    const rows: TaskRow[] = tasks.map(fromTask);
    // Rows first, edges second: a dependency may be declared before the task it points to.
    await this.rows({ name: 'kos_w_insertTasks', text: SQL.insertTasks, values: columnArrays(TASK, rows) });
    const edges = tasks.flatMap((t) => t.dependsOn.map((dep) => [dep, t.id] as const));
    if (edges.length === 0) return;
    await this.rows({
      name: 'kos_w_insertDeps',
      text: SQL.insertDeps,
      values: [edges.map((e) => e[0]), edges.map((e) => e[1])],
    });
  }
  async putTask(task: Task): Promise<void> {
    this.check();
    const r = await this.db.query({
      name: 'kos_w_putTask',
      text: SQL.putTask,
      values: rowValues(TASK_UPDATE, fromTask(task)),
    });
    if (r.rowCount === 0) {
      throw new KosError('KOS_ERR_TASK_NOT_FOUND', `Cannot update task ${task.id}: no task has this id.`, {
        taskId: task.id,
      });
    }
  }
  async setWaiting(changes: readonly WaitingChange[]): Promise<void> {
    if (changes.length === 0) return;
    const rows = changes.map((c) => fromWaiting(c.waiting));
    await this.rows({
      name: 'kos_w_setWaiting',
      text: SQL.setWaiting,
      values: [
        changes.map((c) => c.taskId),
        rows.map((r) => r.waiting_code),
        rows.map((r) => r.waiting_message),
        rows.map((r) => r.waiting_since),
      ],
    });
  }
  async appendEvents(events: readonly NewEvent[]): Promise<void> {
    this.check();
    // Serialized now, so a caller that changes an event object afterwards changes nothing.
    this.pendingEvents.push(...events.map(fromNewEvent));
  }
  async insertToken(token: TokenRecord): Promise<void> {
    await this.rows({
      name: 'kos_w_insertToken',
      text: SQL.insertToken,
      values: rowValues(TOKEN, fromToken(token)),
    });
  }
  async putToken(token: TokenRecord): Promise<void> {
    await this.rows({
      name: 'kos_w_putToken',
      text: SQL.putToken,
      values: rowValues(TOKEN, fromToken(token)),
    });
  }

  async insertA2aTask(r: A2aTaskRecord): Promise<void> {
    await this.rows(a2aStatement('insertTask', [r.goalId, r.contextId, r.createdAt]));
  }
  async putA2aPushConfig(c: A2aPushConfig): Promise<void> {
    const r = fromPushConfig(c);
    const values = [r.goal_id, r.id, r.url, r.token, r.auth_scheme, r.auth_credentials, r.created_at];
    await this.rows(a2aStatement('putPushConfig', values));
  }
  async deleteA2aPushConfig(goalId: string, id: string): Promise<boolean> {
    return (await this.rows(returning(a2aStatement('deletePushConfig', [goalId, id])))).length > 0;
  }
  async putA2aRemote(remote: A2aRemoteRecord): Promise<void> {
    const r = fromA2aRemote(remote);
    await this.rows({
      name: 'kos_w_putA2aRemote',
      text: SQL.putA2aRemote,
      values: [r.agent_id, r.card_url, r.card, r.token, r.added_at, r.updated_at],
    });
  }
  async deleteA2aRemote(agentId: string): Promise<boolean> {
    const rows = await this.rows({
      name: 'kos_w_deleteA2aRemote',
      text: SQL.deleteA2aRemote,
      values: [agentId],
    });
    return rows.length > 0;
  }

  override async listEvents(filter: EventFilter): Promise<EventRecord[]> {
    await this.flushEvents();
    return super.listEvents(filter);
  }

  override async lastEventSeq(): Promise<number> {
    await this.flushEvents();
    return super.lastEventSeq();
  }

  /** Hands over the events buffered so far (group commit writes a whole batch's at once). */
  takePendingEvents(): NewEventRow[] {
    return this.pendingEvents.splice(0);
  }

  addPendingEvents(rows: readonly NewEventRow[]): void {
    this.pendingEvents.push(...rows);
  }

  /** Writes the buffered events with their seq numbers; the backend calls it before COMMIT. */
  async flushEvents(): Promise<void> {
    if (this.pendingEvents.length === 0) return;
    const batch = this.pendingEvents.splice(0);
    await this.rows({
      name: 'kos_w_insertEvents',
      text: SQL.insertEvents,
      values: [batch.length, ...columnArrays(EVENT, batch)],
    });
  }
}

/** The statement answering the rows it deleted (pg's row count is not surfaced by `rows`). */
function returning(s: Statement): Statement {
  return { ...s, name: `${s.name ?? 'kos_a2a'}_returning`, text: `${s.text} RETURNING id` };
}
