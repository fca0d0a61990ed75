import { KosError, type Priority } from '@kos/protocol';
import type { Agent, AgentState } from '../../registry/agent.ts';
import type { Goal, GoalState } from '../../scheduler/goal.ts';
import type { HeldBackCode, Task, TaskState } from '../../scheduler/task.ts';
import type { GoalPolicy } from '../../scheduler/policy.ts';
import type { EventFilter, GoalFilter, Page, ReadTx, ReadyExclusion, TaskFilter } from '../backend.ts';
import type { A2aPushConfig, A2aRemoteRecord, A2aTaskRecord, EventRecord, TokenRecord } from '../records.ts';
import { A2A_SQL, toA2aTask, toPushConfig } from '../sqlite/a2a-queries.ts';
import { toA2aRemote, type A2aRemoteRow } from '../a2a-remote-rows.ts';
// The row shapes and their mapping are the SQLite store's: the schema stores the same values.
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
} from '../sqlite/rows.ts';
import { pgLimit, type Db, type Statement } from './db.ts';

/**
 * Row locking inside a transaction (`lock` true):
 * - every query that returns agent, goal, task or token rows takes them FOR UPDATE, so a verb's
 *   read-modify-write (read a row, put a changed copy) cannot overwrite a concurrent write: the
 *   second reader waits for the first to commit and then reads (and re-checks its WHERE clause
 *   against) the committed row. A `getX` lock is the Backend contract; the lists are locked for
 *   the same reason, because verbs put back the rows they list (heartbeat renews listed leases,
 *   completion readies listed dependents).
 * - the queue queries (ready tasks, expired leases, due retries) take FOR UPDATE SKIP LOCKED:
 *   replicas sharing the database claim disjoint rows instead of queueing behind each other.
 * - aggregates (counts, nextRetryAt) and events lock nothing.
 * Locks are taken in the query's ORDER BY order; the deadlocks that remain are retried by
 * `transaction()`. In `read()` nothing is locked and each query sees the latest commits.
 */
const FIXED = {
  agentById: { text: 'SELECT * FROM agents WHERE id = $1', lock: 'FOR UPDATE' },
  agentByName: { text: 'SELECT * FROM agents WHERE name = $1', lock: 'FOR UPDATE' },
  agents: { text: 'SELECT * FROM agents ORDER BY name', lock: 'FOR UPDATE' },
  agentsInStates: {
    text: 'SELECT * FROM agents WHERE state = ANY($1::text[]) ORDER BY name',
    lock: 'FOR UPDATE',
  },
  leasesByAgent: {
    text: `SELECT agent_id, count(*) AS n FROM tasks
      WHERE state IN ('leased', 'running', 'cancelling') AND agent_id IS NOT NULL GROUP BY agent_id`,
    lock: '',
  },
  // Walk the leased tasks (bounded by the fleet's capacity), not the goals' whole backlogs.
  leasesByGoal: {
    text: `SELECT goal_id, count(*) AS n FROM tasks
      WHERE state IN ('leased', 'running', 'cancelling') AND goal_id = ANY($1::text[]) GROUP BY goal_id`,
    lock: '',
  },
  leasesByKey: {
    text: `SELECT policy::jsonb #>> '{concurrency,key}' AS key, count(*) AS n FROM tasks
      WHERE state IN ('leased', 'running', 'cancelling')
      AND policy::jsonb #>> '{concurrency,key}' = ANY($1::text[]) GROUP BY 1`,
    lock: '',
  },
  // Unlocked: a policy never changes, and a round must not queue behind a goal's counters.
  goalPolicies: { text: 'SELECT id, policy FROM goals WHERE id = ANY($1::text[])', lock: '' },
  goalById: { text: 'SELECT * FROM goals WHERE id = $1', lock: 'FOR UPDATE' },
  taskById: { text: 'SELECT * FROM tasks WHERE id = $1', lock: 'FOR UPDATE' },
  tasksByIds: { text: 'SELECT * FROM tasks WHERE id = ANY($1::text[]) ORDER BY rid', lock: 'FOR UPDATE' },
  dependents: {
    text: `SELECT t.* FROM task_deps d JOIN tasks t ON t.id = d.task_id
      WHERE d.depends_on = $1 ORDER BY t.rid`,
    lock: 'FOR UPDATE OF t',
  },
  ready: {
    text: `SELECT * FROM tasks WHERE state = 'ready' AND available_at <= $1
      ORDER BY ready_key, rid LIMIT $2`,
    lock: 'FOR UPDATE SKIP LOCKED',
  },
  // The ready queue past goals and concurrency keys at their limits (a round's second look).
  readyExcept: {
    text: `SELECT * FROM tasks WHERE state = 'ready' AND available_at <= $1
      AND NOT (goal_id = ANY($2::text[]))
      AND (policy::jsonb #>> '{concurrency,key}' IS NULL
        OR NOT (policy::jsonb #>> '{concurrency,key}' = ANY($3::text[])))
      ORDER BY ready_key, rid LIMIT $4`,
    lock: 'FOR UPDATE SKIP LOCKED',
  },
  expiredLeases: {
    text: `SELECT * FROM tasks WHERE state IN ('leased', 'running', 'cancelling') AND lease_expires_at < $1
      ORDER BY lease_expires_at LIMIT $2`,
    lock: 'FOR UPDATE SKIP LOCKED',
  },
  dueDeadlines: {
    text: `SELECT * FROM tasks WHERE state IN ('ready', 'leased', 'running') AND deadline_at < $1
      ORDER BY deadline_at LIMIT $2`,
    lock: 'FOR UPDATE SKIP LOCKED',
  },
  dueRetries: {
    text: `SELECT * FROM tasks WHERE state = 'retrying' AND available_at <= $1
      ORDER BY available_at LIMIT $2`,
    lock: 'FOR UPDATE SKIP LOCKED',
  },
  nextRetry: { text: `SELECT min(available_at) AS at FROM tasks WHERE state = 'retrying'`, lock: '' },
  silentAgents: {
    text: `SELECT * FROM agents WHERE state IN ('active', 'draining') AND last_heartbeat_at < $1
      ORDER BY last_heartbeat_at`,
    lock: 'FOR UPDATE',
  },
  tasksByState: { text: 'SELECT state, count(*) AS n FROM tasks GROUP BY state', lock: '' },
  heldBackByReason: {
    text: `SELECT waiting_code AS state, count(*) AS n FROM tasks
      WHERE state = 'ready' AND waiting_code IS NOT NULL GROUP BY waiting_code`,
    lock: '',
  },
  goalTasksByState: {
    text: 'SELECT state, count(*) AS n FROM tasks WHERE goal_id = $1 GROUP BY state',
    lock: '',
  },
  readyByPriority: {
    text: `SELECT priority AS state, count(*) AS n FROM tasks WHERE state = 'ready' GROUP BY priority`,
    lock: '',
  },
  goalsByState: { text: 'SELECT state, count(*) AS n FROM goals GROUP BY state', lock: '' },
  agentsByState: { text: 'SELECT state, count(*) AS n FROM agents GROUP BY state', lock: '' },
  tokenByHash: { text: 'SELECT * FROM tokens WHERE hash = $1', lock: 'FOR UPDATE' },
  lastEventSeq: { text: 'SELECT max(seq) AS seq FROM events', lock: '' },
  tokens: { text: 'SELECT * FROM tokens ORDER BY created_at, id', lock: 'FOR UPDATE' },
  a2aRemotes: { text: 'SELECT * FROM a2a_remotes ORDER BY card_url', lock: 'FOR UPDATE' },
} as const;
type FixedName = keyof typeof FIXED;

interface StateCount {
  state: string;
  n: number;
}

/**
 * The ReadTx of one transaction (`lock` true, on its client) or of `read()` (on the pool).
 * Fixed queries are named prepared statements (`kos_r_…` unlocked, `kos_l_…` locked); list
 * queries whose WHERE clause depends on the filter are built per call and planned each time.
 * A handle is valid while its transaction or read runs: a later call throws instead of landing
 * in someone else's transaction.
 */
export class PgReadTx implements ReadTx {
  private open = true;

  constructor(
    protected readonly db: Db,
    protected readonly lock: boolean,
  ) {}

  /** Called when the owning transaction or read ends. */
  end(): void {
    this.open = false;
  }

  protected check(): void {
    if (!this.open) {
      throw new KosError(
        'KOS_ERR_INTERNAL',
        'A store transaction handle was used after its transaction ended; keep tx calls inside the callback.',
      );
    }
  }

  protected async rows<R extends object>(statement: Statement): Promise<R[]> {
    this.check();
    return (await this.db.query<R & Record<string, unknown>>(statement)).rows;
  }

  private fixed<R extends object>(name: FixedName, values: unknown[]): Promise<R[]> {
    const q = FIXED[name];
    const locked = this.lock && q.lock !== '';
    return this.rows<R>({
      name: `kos_${locked ? 'l' : 'r'}_${name}`,
      text: locked ? `${q.text} ${q.lock}` : q.text,
      values,
    });
  }

  private async one<R extends object>(name: FixedName, values: unknown[]): Promise<R | undefined> {
    return (await this.fixed<R>(name, values))[0];
  }

  async getAgent(id: string): Promise<Agent | null> {
    const r = await this.one<AgentRow>('agentById', [id]);
    return r === undefined ? null : toAgent(r);
  }
  async getAgentByName(name: string): Promise<Agent | null> {
    const r = await this.one<AgentRow>('agentByName', [name]);
    return r === undefined ? null : toAgent(r);
  }
  async listAgents(states?: readonly AgentState[]): Promise<Agent[]> {
    const rows =
      states === undefined
        ? await this.fixed<AgentRow>('agents', [])
        : await this.fixed<AgentRow>('agentsInStates', [states]);
    return rows.map(toAgent);
  }
  async countLeasesByAgent(): Promise<Map<string, number>> {
    const rows = await this.fixed<{ agent_id: string; n: number }>('leasesByAgent', []);
    return new Map(rows.map((r) => [r.agent_id, r.n]));
  }
  async countLeasesByGoal(goalIds: readonly string[]): Promise<Map<string, number>> {
    if (goalIds.length === 0) return new Map();
    const rows = await this.fixed<{ goal_id: string; n: number }>('leasesByGoal', [goalIds]);
    return new Map(rows.map((r) => [r.goal_id, r.n]));
  }
  async countLeasesByKey(keys: readonly string[]): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const rows = await this.fixed<{ key: string; n: number }>('leasesByKey', [keys]);
    return new Map(rows.map((r) => [r.key, r.n]));
  }
  async getGoalPolicies(ids: readonly string[]): Promise<Map<string, GoalPolicy>> {
    if (ids.length === 0) return new Map();
    const rows = await this.fixed<{ id: string; policy: string }>('goalPolicies', [ids]);
    return new Map(rows.map((r) => [r.id, toGoalPolicy(r.policy)]));
  }
  async getGoal(id: string): Promise<Goal | null> {
    const r = await this.one<GoalRow>('goalById', [id]);
    return r === undefined ? null : toGoal(r);
  }
  async listGoals(filter: GoalFilter, page: Page): Promise<Goal[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.states !== undefined) where.push(`state = ANY(${param(values, filter.states)}::text[])`);
    if (filter.template !== undefined) where.push(`template = ${param(values, filter.template)}`);
    if (filter.text !== undefined)
      where.push(`strpos(lower(goal), lower(${param(values, filter.text)})) > 0`);
    if (page.after !== undefined) {
      where.push(
        `(created_at, rid) < (SELECT created_at, rid FROM goals WHERE id = ${param(values, page.after)})`,
      );
    }
    const limit = param(values, pgLimit(page.limit));
    const text = `SELECT * FROM goals ${whereClause(where)} ORDER BY created_at DESC, rid DESC LIMIT ${limit}`;
    return (await this.rows<GoalRow>({ text: this.locked(text), values })).map(toGoal);
  }
  async getTask(id: string): Promise<Task | null> {
    const r = await this.one<TaskRow>('taskById', [id]);
    return r === undefined ? null : toTask(r);
  }
  async getTasks(ids: readonly string[]): Promise<Task[]> {
    return (await this.fixed<TaskRow>('tasksByIds', [ids])).map(toTask);
  }
  async listTasks(filter: TaskFilter, page: Page): Promise<Task[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.goalId !== undefined) where.push(`goal_id = ${param(values, filter.goalId)}`);
    if (filter.agentId !== undefined) where.push(`agent_id = ${param(values, filter.agentId)}`);
    if (filter.states !== undefined) where.push(`state = ANY(${param(values, filter.states)}::text[])`);
    if (page.after !== undefined) {
      where.push(`rid > (SELECT rid FROM tasks WHERE id = ${param(values, page.after)})`);
    }
    const limit = param(values, pgLimit(page.limit));
    const text = `SELECT * FROM tasks ${whereClause(where)} ORDER BY rid LIMIT ${limit}`;
    return (await this.rows<TaskRow>({ text: this.locked(text), values })).map(toTask);
  }
  async listDependents(taskId: string): Promise<Task[]> {
    return (await this.fixed<TaskRow>('dependents', [taskId])).map(toTask);
  }
  async listReadyTasks(now: number, limit: number, except?: ReadyExclusion): Promise<Task[]> {
    if (except === undefined || (except.goalIds.length === 0 && except.keys.length === 0)) {
      return (await this.fixed<TaskRow>('ready', [now, pgLimit(limit)])).map(toTask);
    }
    const values = [now, except.goalIds, except.keys, pgLimit(limit)];
    return (await this.fixed<TaskRow>('readyExcept', values)).map(toTask);
  }
  async listExpiredLeases(now: number, limit: number): Promise<Task[]> {
    return (await this.fixed<TaskRow>('expiredLeases', [now, pgLimit(limit)])).map(toTask);
  }
  async listDueDeadlines(now: number, limit: number): Promise<Task[]> {
    return (await this.fixed<TaskRow>('dueDeadlines', [now, pgLimit(limit)])).map(toTask);
  }
  async listDueRetries(now: number, limit: number): Promise<Task[]> {
    return (await this.fixed<TaskRow>('dueRetries', [now, pgLimit(limit)])).map(toTask);
  }
  async nextRetryAt(): Promise<number | null> {
    return (await this.one<{ at: number | null }>('nextRetry', []))?.at ?? null;
  }
  async listSilentAgents(before: number): Promise<Agent[]> {
    return (await this.fixed<AgentRow>('silentAgents', [before])).map(toAgent);
  }
  async countTasksByState(goalId?: string): Promise<Partial<Record<TaskState, number>>> {
    const rows =
      goalId === undefined
        ? await this.fixed<StateCount>('tasksByState', [])
        : await this.fixed<StateCount>('goalTasksByState', [goalId]);
    return countsOf<TaskState>(rows);
  }
  async countHeldBackByReason(): Promise<Partial<Record<HeldBackCode, number>>> {
    return countsOf<HeldBackCode>(await this.fixed<StateCount>('heldBackByReason', []));
  }
  async countReadyByPriority(): Promise<Partial<Record<Priority, number>>> {
    return countsOf<Priority>(await this.fixed<StateCount>('readyByPriority', []));
  }
  async countGoalsByState(): Promise<Partial<Record<GoalState, number>>> {
    return countsOf<GoalState>(await this.fixed<StateCount>('goalsByState', []));
  }
  async countAgentsByState(): Promise<Partial<Record<AgentState, number>>> {
    return countsOf<AgentState>(await this.fixed<StateCount>('agentsByState', []));
  }
  async listEvents(filter: EventFilter): Promise<EventRecord[]> {
    const values: unknown[] = [];
    const where = [`seq > ${param(values, filter.afterSeq ?? 0)}`];
    for (const [column, value] of [
      ['goal_id', filter.goalId],
      ['task_id', filter.taskId],
      ['agent_id', filter.agentId],
    ] as const) {
      if (value !== undefined) where.push(`${column} = ${param(values, value)}`);
    }
    if (filter.kinds !== undefined) where.push(`kind = ANY(${param(values, filter.kinds)}::text[])`);
    if (filter.since !== undefined) {
      // From the first event of the window (events_at), so the seq order is walked from there.
      const since = param(values, filter.since);
      where.push(`at >= ${since}`, `seq >= (SELECT min(seq) FROM events WHERE at >= ${since})`);
    }
    const limit = param(values, pgLimit(filter.limit));
    const text = `SELECT * FROM events ${whereClause(where)} ORDER BY seq LIMIT ${limit}`;
    return (await this.rows<EventRow>({ text, values })).map(toEvent);
  }
  async lastEventSeq(): Promise<number> {
    const r = await this.one<{ seq: string | number | null }>('lastEventSeq', []);
    return Number(r?.seq ?? 0);
  }
  async getTokenByHash(hash: string): Promise<TokenRecord | null> {
    const r = await this.one<TokenRow>('tokenByHash', [hash]);
    return r === undefined ? null : toToken(r);
  }
  async listTokens(): Promise<TokenRecord[]> {
    return (await this.fixed<TokenRow>('tokens', [])).map(toToken);
  }
  async getA2aTask(goalId: string): Promise<A2aTaskRecord | null> {
    const [r] = await this.rows<Parameters<typeof toA2aTask>[0]>(a2aStatement('task', [goalId]));
    return r === undefined ? null : toA2aTask(r);
  }
  async listA2aPushConfigs(goalId: string): Promise<A2aPushConfig[]> {
    const rows = await this.rows<Parameters<typeof toPushConfig>[0]>(a2aStatement('pushConfigs', [goalId]));
    return rows.map(toPushConfig);
  }
  async listA2aRemotes(): Promise<A2aRemoteRecord[]> {
    return (await this.fixed<A2aRemoteRow>('a2aRemotes', [])).map(toA2aRemote);
  }

  private locked(text: string): string {
    return this.lock ? `${text} FOR UPDATE` : text;
  }
}

/** Appends a bind value and returns its placeholder. */
function param(values: unknown[], value: unknown): string {
  values.push(value);
  return `$${values.length}`;
}

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}

function countsOf<S extends string>(rows: readonly StateCount[]): Partial<Record<S, number>> {
  const out: Partial<Record<S, number>> = {};
  for (const r of rows) out[r.state as S] = r.n;
  return out;
}

/** A named statement of the A2A tables: the shared SQL with pg's `$n` placeholders. */
export function a2aStatement(name: keyof typeof A2A_SQL, values: unknown[]): Statement {
  let n = 0;
  return { name: `kos_a2a_${name}`, text: A2A_SQL[name].replace(/\?/g, () => `$${++n}`), values };
}
