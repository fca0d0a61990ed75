import type { Priority } from '@kos/protocol';
import type { Agent, AgentState } from '../registry/agent.ts';
import type { Goal, GoalState } from '../scheduler/goal.ts';
import type { GoalPolicy } from '../scheduler/policy.ts';
import type { HeldBackCode, Task, TaskState, TaskWaiting } from '../scheduler/task.ts';
import type {
  A2aPushConfig,
  A2aRemoteRecord,
  A2aTaskRecord,
  EventKind,
  EventRecord,
  NewEvent,
  TokenRecord,
} from './records.ts';

/**
 * What a storage backend provides: row-level reads and writes inside a transaction. The domain
 * verbs (store/verbs/*) are written once on top of this, so every backend has the same behaviour;
 * `runBackendContract` (store/backend-contract.ts) checks it.
 *
 * Promises every backend keeps:
 * - `transaction(fn)` is atomic and isolated: its writes become visible and durable together
 *   when its promise resolves, or not at all when `fn` throws (the error is rethrown). Callers
 *   acknowledge a request only after that promise resolves.
 * - Inside a transaction, a `get…` of a row locks it against other writers until commit
 *   (SQLite: one writer at a time; PostgreSQL: FOR UPDATE).
 * - `listReadyTasks` returns ready tasks with `availableAt <= now`, lowest `readyKey` first; on a
 *   backend shared by several orchestrators the rows come locked and skip rows others hold.
 * - `read(fn)` sees only committed data.
 * - Event `seq` values are assigned by the store, strictly increasing in commit order per backend.
 * Exclusions: no backend-specific keys or query languages leak through this interface; filters
 * are domain terms.
 */
export interface Backend {
  readonly kind: 'sqlite' | 'postgres';
  transaction<T>(fn: (tx: Tx) => Promise<T>, options?: TxOptions<T>): Promise<T>;
  /**
   * Work to run at the end of a group-commit batch, in its transaction, when one of its
   * transactions asked for it (`TxOptions.wantsHook`); null removes it.
   */
  setBatchHook(hook: BatchHook | null): void;
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /** True when the database answers; used by /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface TxOptions<T> {
  /**
   * Whether, given what it returned, this transaction asks for the batch hook: e.g. it readied
   * tasks or freed an agent's slots, so an assignment round may place work.
   */
  wantsHook?: ((value: T) => boolean) | undefined;
  /**
   * Told, with what `fn` returned, once this transaction committed: synchronously after the
   * COMMIT, in commit order (a batch's transactions in order, then its hook's `committed`), before
   * any caller of the batch is answered. Never when it rolled back; once when a batch was redone
   * (only the attempt that committed is told). It must not throw.
   */
  committed?: ((value: T) => void) | undefined;
}

/**
 * Runs after the transactions of a batch that asked for it, inside the batch's database
 * transaction and savepoint of its own, so what it writes commits with them: an assignment round
 * there leases what a result readied in the same commit (one fsync per hop, not two). If `run`
 * throws, only its writes are undone and `failed` is told after the commit; if the commit fails,
 * nothing is told (the batch's callers are).
 */
export interface BatchHook {
  run(tx: Tx): Promise<unknown>;
  /** After COMMIT (after the batch's transactions' `TxOptions.committed`), with what `run` returned. */
  committed(value: unknown): void;
  failed(error: unknown): void;
}

export interface Page {
  limit: number;
  /** Opaque cursor: for lists ordered by creation, the id/time after which to continue. */
  after?: string | undefined;
}

export interface TaskFilter {
  goalId?: string | undefined;
  states?: readonly TaskState[] | undefined;
  agentId?: string | undefined;
}

/** Which goals to list; every field narrows the list (AND). */
export interface GoalFilter {
  states?: readonly GoalState[] | undefined;
  /** The template name, exactly. */
  template?: string | undefined;
  /** A substring of the goal text, matched case-insensitively (Unicode lower case). */
  text?: string | undefined;
}

export interface WaitingChange {
  taskId: string;
  waiting: TaskWaiting | null;
}

export interface ReadyExclusion {
  goalIds: readonly string[];
  keys: readonly string[];
}

export interface EventFilter {
  goalId?: string | undefined;
  taskId?: string | undefined;
  agentId?: string | undefined;
  kinds?: readonly EventKind[] | undefined;
  afterSeq?: number | undefined;
  /**
   * Only events at or after this time (store clock, ms). The backend starts from the first such
   * event by an index on `at`, so a read of a recent window never walks the older log.
   */
  since?: number | undefined;
  limit: number;
}

export interface ReadTx {
  getAgent(id: string): Promise<Agent | null>;
  getAgentByName(name: string): Promise<Agent | null>;
  listAgents(states?: readonly AgentState[]): Promise<Agent[]>;
  /** Number of leased or running tasks per agent id (agents without leases are absent). */
  countLeasesByAgent(): Promise<Map<string, number>>;
  /**
   * Leases held now (tasks in LEASED_TASK_STATES) per goal, for the given goals only: a round asks
   * for the goals of its window, so the cost is bounded by the leases held, never by the backlog.
   * Goals without leases are absent.
   */
  countLeasesByGoal(goalIds: readonly string[]): Promise<Map<string, number>>;
  /** Leases held now per concurrency key (task.policy.concurrency.key), for the given keys only. */
  countLeasesByKey(keys: readonly string[]): Promise<Map<string, number>>;

  getGoal(id: string): Promise<Goal | null>;
  /** The policies of the given goals, without locking them (a goal's policy never changes). */
  getGoalPolicies(ids: readonly string[]): Promise<Map<string, GoalPolicy>>;
  /** Newest first. */
  listGoals(filter: GoalFilter, page: Page): Promise<Goal[]>;

  getTask(id: string): Promise<Task | null>;
  getTasks(ids: readonly string[]): Promise<Task[]>;
  /** Ordered by creation (the goal's declaration order). */
  listTasks(filter: TaskFilter, page: Page): Promise<Task[]>;
  /** Tasks that list `taskId` in their dependsOn. */
  listDependents(taskId: string): Promise<Task[]>;
  /** Ready tasks, optionally without those of some goals or concurrency keys (at their limits). */
  listReadyTasks(now: number, limit: number, except?: ReadyExclusion): Promise<Task[]>;
  /** Leased/running tasks whose lease expired before `now`. */
  listExpiredLeases(now: number, limit: number): Promise<Task[]>;
  /** Ready, leased or running tasks whose timeout deadline (`deadlineAt`) is before `now`. */
  listDueDeadlines(now: number, limit: number): Promise<Task[]>;
  /** Retrying tasks whose availableAt <= now. */
  listDueRetries(now: number, limit: number): Promise<Task[]>;
  /** The earliest availableAt among retrying tasks, for the retry timer. */
  nextRetryAt(): Promise<number | null>;
  /** Active/draining agents whose last heartbeat is before `before`. */
  listSilentAgents(before: number): Promise<Agent[]>;

  countTasksByState(goalId?: string): Promise<Partial<Record<TaskState, number>>>;
  /** Ready tasks by the reason a round holds them back with (`Task.waiting`); those without one are absent. */
  countHeldBackByReason(): Promise<Partial<Record<HeldBackCode, number>>>;
  /** Ready tasks per priority tier; tiers without any are absent. */
  countReadyByPriority(): Promise<Partial<Record<Priority, number>>>;
  countGoalsByState(): Promise<Partial<Record<GoalState, number>>>;
  countAgentsByState(): Promise<Partial<Record<AgentState, number>>>;

  listEvents(filter: EventFilter): Promise<EventRecord[]>;
  /** The seq of the newest event (0 when there is none): where a reader of new events starts. */
  lastEventSeq(): Promise<number>;

  getTokenByHash(hash: string): Promise<TokenRecord | null>;
  listTokens(): Promise<TokenRecord[]>;

  /** The A2A origin of a goal (its contextId), or null for a goal not submitted through A2A. */
  getA2aTask(goalId: string): Promise<A2aTaskRecord | null>;
  /** The push configs of a goal, oldest first. */
  listA2aPushConfigs(goalId: string): Promise<A2aPushConfig[]>;
  /** Every remote A2A agent, by card URL. */
  listA2aRemotes(): Promise<A2aRemoteRecord[]>;
}

export interface Tx extends ReadTx {
  /** Inserts or replaces by id. */
  putAgent(agent: Agent): Promise<void>;
  insertGoal(goal: Goal): Promise<void>;
  putGoal(goal: Goal): Promise<void>;
  insertTasks(tasks: readonly Task[]): Promise<void>;
  /** Replaces the task row (all fields except id, goalId, name, dependsOn, which never change). */
  putTask(task: Task): Promise<void>;
  /**
   * Sets `waiting` of each listed task and nothing else (not even updatedAt): the round's reasons,
   * written only for the tasks whose reason changed. A task id that matches no row is skipped.
   */
  setWaiting(changes: readonly WaitingChange[]): Promise<void>;
  appendEvents(events: readonly NewEvent[]): Promise<void>;
  insertToken(token: TokenRecord): Promise<void>;
  putToken(token: TokenRecord): Promise<void>;
  /** Once per goal; a second insert for the same goal throws. */
  insertA2aTask(record: A2aTaskRecord): Promise<void>;
  /** Inserts or replaces by (goalId, id). */
  putA2aPushConfig(config: A2aPushConfig): Promise<void>;
  /** Whether a config was there to delete. */
  deleteA2aPushConfig(goalId: string, id: string): Promise<boolean>;
  /** Inserts or replaces by agent id (a card URL belongs to one agent: a second one is refused). */
  putA2aRemote(remote: A2aRemoteRecord): Promise<void>;
  /** Deletes by agent id; true when a row was deleted. */
  deleteA2aRemote(agentId: string): Promise<boolean>;
}
