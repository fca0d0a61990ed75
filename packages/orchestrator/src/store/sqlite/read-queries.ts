import type { Priority } from '@kos/protocol';
import type Database from 'better-sqlite3';
import type { Agent, AgentState } from '../../registry/agent.ts';
import type { Goal, GoalState } from '../../scheduler/goal.ts';
import type { HeldBackCode, Task, TaskState } from '../../scheduler/task.ts';
import type { GoalPolicy } from '../../scheduler/policy.ts';
import type { EventFilter, GoalFilter, Page, ReadyExclusion, TaskFilter } from '../backend.ts';
import type { A2aRemoteRecord, EventRecord, TokenRecord } from '../records.ts';
import { A2aQueries } from './a2a-queries.ts';
import { toA2aRemote, type A2aRemoteRow } from '../a2a-remote-rows.ts';
import {
  toAgent,
  toEvent,
  toGoal,
  toGoalPolicy,
  toTask,
  toToken,
  type AgentRow,
  type EventRow,
  type GoalRow,
  type TaskRow,
  type TokenRow,
} from './rows.ts';

type Stmt<P extends unknown[], R> = Database.Statement<P, R>;
interface StateCount {
  state: string;
  n: number;
}

/** A SQL LIMIT from a page size: negative or NaN reads nothing, Infinity reads everything. */
export function sqlLimit(n: number): number {
  if (n === Infinity) return -1;
  return Math.max(0, Math.trunc(n)) || 0;
}

// A list filter is bound as one JSON array, so a filter shape is one statement whatever its length.
const IN_LIST = 'IN (SELECT value FROM json_each(?))';

/** `state = ?` for one state (the index then yields rows already in order), else an IN list. */
function pushStates(where: string[], args: unknown[], states: readonly string[]): void {
  if (states.length === 1) {
    where.push('state = ?');
    args.push(states[0]);
  } else {
    where.push(`state ${IN_LIST}`);
    args.push(JSON.stringify(states));
  }
}

/**
 * The ReadTx queries of one connection, synchronous. Fixed queries are prepared once here; list
 * queries whose WHERE clause depends on the filter's shape are prepared on first use of each shape
 * and cached (a handful of shapes, so the cache stays small).
 *
 * Each query's index (see migrations.ts) is noted beside it; `sqlite-backend.test.ts` checks the
 * query plans so a scan of a growing table cannot slip in.
 */
export class ReadQueries {
  private readonly shapes = new Map<string, Stmt<unknown[], unknown>>();
  private readonly s: ReturnType<typeof prepareFixed>;
  readonly a2a: A2aQueries;

  constructor(private readonly db: Database.Database) {
    this.s = prepareFixed(db);
    this.a2a = new A2aQueries(db);
  }

  getAgent(id: string): Agent | null {
    const r = this.s.agentById.get(id);
    return r === undefined ? null : toAgent(r);
  }

  getAgentByName(name: string): Agent | null {
    const r = this.s.agentByName.get(name);
    return r === undefined ? null : toAgent(r);
  }

  listAgents(states?: readonly AgentState[]): Agent[] {
    const rows =
      states === undefined ? this.s.agents.all() : this.s.agentsInStates.all(JSON.stringify(states));
    return rows.map(toAgent);
  }

  countLeasesByAgent(): Map<string, number> {
    return new Map(this.s.leasesByAgent.all().map((r) => [r.agent_id, r.n]));
  }

  countLeasesByGoal(goalIds: readonly string[]): Map<string, number> {
    if (goalIds.length === 0) return new Map();
    return new Map(this.s.leasesByGoal.all(JSON.stringify(goalIds)).map((r) => [r.goal_id, r.n]));
  }

  countLeasesByKey(keys: readonly string[]): Map<string, number> {
    if (keys.length === 0) return new Map();
    return new Map(this.s.leasesByKey.all(JSON.stringify(keys)).map((r) => [r.key, r.n]));
  }

  getGoalPolicies(ids: readonly string[]): Map<string, GoalPolicy> {
    if (ids.length === 0) return new Map();
    return new Map(this.s.goalPolicies.all(JSON.stringify(ids)).map((r) => [r.id, toGoalPolicy(r.policy)]));
  }

  getGoal(id: string): Goal | null {
    const r = this.s.goalById.get(id);
    return r === undefined ? null : toGoal(r);
  }

  listGoals(filter: GoalFilter, page: Page): Goal[] {
    const q = listGoalsQuery(filter, page);
    return this.shape<GoalRow>(q.sql)
      .all(...q.args)
      .map(toGoal);
  }

  getTask(id: string): Task | null {
    const r = this.s.taskById.get(id);
    return r === undefined ? null : toTask(r);
  }

  getTasks(ids: readonly string[]): Task[] {
    return this.s.tasksByIds.all(JSON.stringify(ids)).map(toTask);
  }

  listTasks(filter: TaskFilter, page: Page): Task[] {
    const q = listTasksQuery(filter, page);
    return this.shape<TaskRow>(q.sql)
      .all(...q.args)
      .map(toTask);
  }

  listDependents(taskId: string): Task[] {
    return this.s.dependents.all(taskId).map(toTask);
  }

  listReadyTasks(now: number, limit: number, except?: ReadyExclusion): Task[] {
    if (except === undefined || (except.goalIds.length === 0 && except.keys.length === 0)) {
      return this.s.ready.all(now, sqlLimit(limit)).map(toTask);
    }
    const goals = JSON.stringify(except.goalIds);
    return this.s.readyExcept.all(now, goals, JSON.stringify(except.keys), sqlLimit(limit)).map(toTask);
  }

  listExpiredLeases(now: number, limit: number): Task[] {
    return this.s.expiredLeases.all(now, sqlLimit(limit)).map(toTask);
  }

  listDueDeadlines(now: number, limit: number): Task[] {
    return this.s.dueDeadlines.all(now, sqlLimit(limit)).map(toTask);
  }
  listDueRetries(now: number, limit: number): Task[] {
    return this.s.dueRetries.all(now, sqlLimit(limit)).map(toTask);
  }

  nextRetryAt(): number | null {
    return this.s.nextRetry.get()?.at ?? null;
  }

  listSilentAgents(before: number): Agent[] {
    return this.s.silentAgents.all(before).map(toAgent);
  }

  countTasksByState(goalId?: string): Partial<Record<TaskState, number>> {
    const rows = goalId === undefined ? this.s.tasksByState.all() : this.s.goalTasksByState.all(goalId);
    return countsOf<TaskState>(rows);
  }

  countHeldBackByReason(): Partial<Record<HeldBackCode, number>> {
    return countsOf<HeldBackCode>(this.s.heldBackByReason.all());
  }

  countReadyByPriority(): Partial<Record<Priority, number>> {
    return countsOf<Priority>(this.s.readyByPriority.all());
  }

  countGoalsByState(): Partial<Record<GoalState, number>> {
    return countsOf<GoalState>(this.s.goalsByState.all());
  }

  countAgentsByState(): Partial<Record<AgentState, number>> {
    return countsOf<AgentState>(this.s.agentsByState.all());
  }

  lastEventSeq(): number {
    return this.s.lastEventSeq.get()?.seq ?? 0;
  }

  listEvents(filter: EventFilter): EventRecord[] {
    const q = listEventsQuery(filter);
    return this.shape<EventRow>(q.sql)
      .all(...q.args)
      .map(toEvent);
  }

  getTokenByHash(hash: string): TokenRecord | null {
    const r = this.s.tokenByHash.get(hash);
    return r === undefined ? null : toToken(r);
  }

  listTokens(): TokenRecord[] {
    return this.s.tokens.all().map(toToken);
  }

  listA2aRemotes(): A2aRemoteRecord[] {
    return this.s.a2aRemotes.all().map(toA2aRemote);
  }

  private shape<R>(sql: string): Stmt<unknown[], R> {
    let stmt = this.shapes.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare<unknown[], unknown>(sql);
      this.shapes.set(sql, stmt);
    }
    return stmt as Stmt<unknown[], R>;
  }
}

export interface Query {
  sql: string;
  args: unknown[];
}

/** Goals newest first; the cursor is the id of the last goal of the previous page. */
export function listGoalsQuery(filter: GoalFilter, page: Page): Query {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.states !== undefined) pushStates(where, args, filter.states);
  if (filter.template !== undefined) {
    where.push('template = ?');
    args.push(filter.template);
  }
  if (filter.text !== undefined) {
    // kos_lower is JavaScript's toLowerCase (sqlite-backend.ts): SQLite's lower() folds ASCII only.
    where.push('instr(kos_lower(goal), kos_lower(?)) > 0');
    args.push(filter.text);
  }
  if (page.after !== undefined) {
    where.push('(created_at, rid) < (SELECT created_at, rid FROM goals WHERE id = ?)');
    args.push(page.after);
  }
  args.push(sqlLimit(page.limit));
  return {
    sql: `SELECT * FROM goals ${whereClause(where)} ORDER BY created_at DESC, rid DESC LIMIT ?`,
    args,
  };
}

/** Tasks in creation order; the cursor is the id of the last task of the previous page. */
export function listTasksQuery(filter: TaskFilter, page: Page): Query {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.goalId !== undefined) {
    where.push('goal_id = ?');
    args.push(filter.goalId);
  }
  if (filter.agentId !== undefined) {
    where.push('agent_id = ?');
    args.push(filter.agentId);
  }
  if (filter.states !== undefined) pushStates(where, args, filter.states);
  if (page.after !== undefined) {
    where.push('rid > (SELECT rid FROM tasks WHERE id = ?)');
    args.push(page.after);
  }
  args.push(sqlLimit(page.limit));
  return { sql: `SELECT * FROM tasks ${whereClause(where)} ORDER BY rid LIMIT ?`, args };
}

export function listEventsQuery(filter: EventFilter): Query {
  const where = ['seq > ?'];
  const args: unknown[] = [filter.afterSeq ?? 0];
  for (const [column, value] of [
    ['goal_id', filter.goalId],
    ['task_id', filter.taskId],
    ['agent_id', filter.agentId],
  ] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    args.push(value);
  }
  if (filter.kinds !== undefined) {
    where.push(`kind ${IN_LIST}`);
    args.push(JSON.stringify(filter.kinds));
  }
  if (filter.since !== undefined) {
    // From the first event of the window (events_at), so the seq order is walked from there.
    where.push('at >= ?', 'seq >= (SELECT min(seq) FROM events WHERE at >= ?)');
    args.push(filter.since, filter.since);
  }
  args.push(sqlLimit(filter.limit));
  return { sql: `SELECT * FROM events ${whereClause(where)} ORDER BY seq LIMIT ?`, args };
}

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

function countsOf<S extends string>(rows: readonly StateCount[]): Partial<Record<S, number>> {
  const out: Partial<Record<S, number>> = {};
  for (const r of rows) out[r.state as S] = r.n;
  return out;
}

/** The fixed read statements; exported for the query-plan test. */
export const FIXED_READ_SQL = {
  agentById: 'SELECT * FROM agents WHERE id = ?',
  agentByName: 'SELECT * FROM agents WHERE name = ?', // agents_name
  agents: 'SELECT * FROM agents ORDER BY name',
  agentsInStates: `SELECT * FROM agents WHERE state ${IN_LIST} ORDER BY name`,
  leasesByAgent: `SELECT agent_id, count(*) AS n FROM tasks
    WHERE state IN ('leased', 'running', 'cancelling') AND agent_id IS NOT NULL GROUP BY agent_id`,
  // Walks the leased tasks (bounded by the fleet's capacity), not the goals' whole backlogs.
  leasesByGoal: `SELECT goal_id, count(*) AS n FROM tasks INDEXED BY tasks_state
    WHERE state IN ('leased', 'running', 'cancelling') AND goal_id ${IN_LIST} GROUP BY goal_id`,
  leasesByKey: `SELECT json_extract(policy, '$.concurrency.key') AS key, count(*) AS n
    FROM tasks INDEXED BY tasks_state WHERE state IN ('leased', 'running', 'cancelling')
    AND json_extract(policy, '$.concurrency.key') ${IN_LIST} GROUP BY key`,
  goalPolicies: `SELECT id, policy FROM goals WHERE id ${IN_LIST}`,
  goalById: 'SELECT * FROM goals WHERE id = ?',
  taskById: 'SELECT * FROM tasks WHERE id = ?',
  tasksByIds: `SELECT * FROM tasks WHERE id ${IN_LIST} ORDER BY rid`,
  // task_deps primary key (depends_on, task_id), then tasks by id.
  dependents: `SELECT t.* FROM task_deps d JOIN tasks t ON t.id = d.task_id
    WHERE d.depends_on = ? ORDER BY t.rid`,
  // The queue queries name their partial index: without ANALYZE statistics the planner prefers
  // tasks_state and sorts every ready task to return the first few; this walks the index in order
  // and stops at the limit (and fails loudly if a schema change ever makes the index unusable).
  ready: `SELECT * FROM tasks INDEXED BY tasks_ready WHERE state = 'ready' AND available_at <= ?
    ORDER BY ready_key, rid LIMIT ?`,
  // The ready queue past goals and concurrency keys at their limits (a round's second look).
  readyExcept: `SELECT * FROM tasks INDEXED BY tasks_ready WHERE state = 'ready' AND available_at <= ?
    AND goal_id NOT ${IN_LIST}
    AND (json_extract(policy, '$.concurrency.key') IS NULL
      OR json_extract(policy, '$.concurrency.key') NOT ${IN_LIST})
    ORDER BY ready_key, rid LIMIT ?`,
  expiredLeases: `SELECT * FROM tasks INDEXED BY tasks_lease_expiry
    WHERE state IN ('leased', 'running', 'cancelling') AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT ?`,
  dueDeadlines: `SELECT * FROM tasks INDEXED BY tasks_deadline
    WHERE state IN ('ready', 'leased', 'running') AND deadline_at < ? ORDER BY deadline_at LIMIT ?`,
  dueRetries: `SELECT * FROM tasks INDEXED BY tasks_retry_due WHERE state = 'retrying' AND available_at <= ?
    ORDER BY available_at LIMIT ?`,
  nextRetry: `SELECT min(available_at) AS at FROM tasks INDEXED BY tasks_retry_due WHERE state = 'retrying'`,
  silentAgents: `SELECT * FROM agents WHERE state IN ('active', 'draining') AND last_heartbeat_at < ?
    ORDER BY last_heartbeat_at`,
  tasksByState: 'SELECT state, count(*) AS n FROM tasks GROUP BY state',
  heldBackByReason: `SELECT waiting_code AS state, count(*) AS n FROM tasks INDEXED BY tasks_ready
    WHERE state = 'ready' AND waiting_code IS NOT NULL GROUP BY waiting_code`,
  goalTasksByState: 'SELECT state, count(*) AS n FROM tasks WHERE goal_id = ? GROUP BY state',
  readyByPriority: `SELECT priority AS state, count(*) AS n FROM tasks INDEXED BY tasks_ready
    WHERE state = 'ready' GROUP BY priority`,
  goalsByState: 'SELECT state, count(*) AS n FROM goals GROUP BY state',
  agentsByState: 'SELECT state, count(*) AS n FROM agents GROUP BY state',
  tokenByHash: 'SELECT * FROM tokens WHERE hash = ?',
  // The primary key's last entry.
  lastEventSeq: 'SELECT max(seq) AS seq FROM events',
  tokens: 'SELECT * FROM tokens ORDER BY created_at, id',
  a2aRemotes: 'SELECT * FROM a2a_remotes ORDER BY card_url',
} as const;

function prepareFixed(db: Database.Database) {
  const q = FIXED_READ_SQL;
  return {
    agentById: db.prepare<[string], AgentRow>(q.agentById),
    agentByName: db.prepare<[string], AgentRow>(q.agentByName),
    agents: db.prepare<[], AgentRow>(q.agents),
    agentsInStates: db.prepare<[string], AgentRow>(q.agentsInStates),
    leasesByAgent: db.prepare<[], { agent_id: string; n: number }>(q.leasesByAgent),
    leasesByGoal: db.prepare<[string], { goal_id: string; n: number }>(q.leasesByGoal),
    leasesByKey: db.prepare<[string], { key: string; n: number }>(q.leasesByKey),
    goalPolicies: db.prepare<[string], { id: string; policy: string }>(q.goalPolicies),
    goalById: db.prepare<[string], GoalRow>(q.goalById),
    taskById: db.prepare<[string], TaskRow>(q.taskById),
    tasksByIds: db.prepare<[string], TaskRow>(q.tasksByIds),
    dependents: db.prepare<[string], TaskRow>(q.dependents),
    ready: db.prepare<[number, number], TaskRow>(q.ready),
    readyExcept: db.prepare<[number, string, string, number], TaskRow>(q.readyExcept),
    expiredLeases: db.prepare<[number, number], TaskRow>(q.expiredLeases),
    dueDeadlines: db.prepare<[number, number], TaskRow>(q.dueDeadlines),
    dueRetries: db.prepare<[number, number], TaskRow>(q.dueRetries),
    nextRetry: db.prepare<[], { at: number | null }>(q.nextRetry),
    silentAgents: db.prepare<[number], AgentRow>(q.silentAgents),
    tasksByState: db.prepare<[], StateCount>(q.tasksByState),
    heldBackByReason: db.prepare<[], StateCount>(q.heldBackByReason),
    goalTasksByState: db.prepare<[string], StateCount>(q.goalTasksByState),
    readyByPriority: db.prepare<[], StateCount>(q.readyByPriority),
    goalsByState: db.prepare<[], StateCount>(q.goalsByState),
    agentsByState: db.prepare<[], StateCount>(q.agentsByState),
    tokenByHash: db.prepare<[string], TokenRow>(q.tokenByHash),
    lastEventSeq: db.prepare<[], { seq: number | null }>(q.lastEventSeq),
    tokens: db.prepare<[], TokenRow>(q.tokens),
    a2aRemotes: db.prepare<[], A2aRemoteRow>(q.a2aRemotes),
  };
}
