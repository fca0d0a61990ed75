import { KosError, type Priority } from '@kos/protocol';
import type { Agent, AgentState } from '../../registry/agent.ts';
import type { Goal, GoalState } from '../../scheduler/goal.ts';
import type { HeldBackCode, Task, TaskState } from '../../scheduler/task.ts';
import type { GoalPolicy } from '../../scheduler/policy.ts';
import type {
  EventFilter,
  GoalFilter,
  Page,
  ReadTx,
  ReadyExclusion,
  TaskFilter,
  Tx,
  WaitingChange,
} from '../backend.ts';
import type {
  A2aPushConfig,
  A2aRemoteRecord,
  A2aTaskRecord,
  EventRecord,
  NewEvent,
  TokenRecord,
} from '../records.ts';
import type { ReadQueries } from './read-queries.ts';
import type { WriteQueries } from './write-queries.ts';

/**
 * The async ReadTx/Tx faces of the synchronous queries. better-sqlite3 answers synchronously, so
 * each method does its work when called; the promise only matches the Backend interface (which a
 * networked backend needs). A handle is valid while its transaction or read runs: a call after
 * that (a leaked handle) would land in someone else's transaction, so it throws instead.
 */
export class SqliteReadTx implements ReadTx {
  private open = true;

  constructor(protected readonly reads: ReadQueries) {}

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

  async getAgent(id: string): Promise<Agent | null> {
    this.check();
    return this.reads.getAgent(id);
  }
  async getAgentByName(name: string): Promise<Agent | null> {
    this.check();
    return this.reads.getAgentByName(name);
  }
  async listAgents(states?: readonly AgentState[]): Promise<Agent[]> {
    this.check();
    return this.reads.listAgents(states);
  }
  async countLeasesByAgent(): Promise<Map<string, number>> {
    this.check();
    return this.reads.countLeasesByAgent();
  }
  async countLeasesByGoal(goalIds: readonly string[]): Promise<Map<string, number>> {
    this.check();
    return this.reads.countLeasesByGoal(goalIds);
  }
  async countLeasesByKey(keys: readonly string[]): Promise<Map<string, number>> {
    this.check();
    return this.reads.countLeasesByKey(keys);
  }
  async getGoalPolicies(ids: readonly string[]): Promise<Map<string, GoalPolicy>> {
    this.check();
    return this.reads.getGoalPolicies(ids);
  }
  async getGoal(id: string): Promise<Goal | null> {
    this.check();
    return this.reads.getGoal(id);
  }
  async listGoals(filter: GoalFilter, page: Page): Promise<Goal[]> {
    this.check();
    return this.reads.listGoals(filter, page);
  }
  async getTask(id: string): Promise<Task | null> {
    this.check();
    return this.reads.getTask(id);
  }
  async getTasks(ids: readonly string[]): Promise<Task[]> {
    this.check();
    return this.reads.getTasks(ids);
  }
  async listTasks(filter: TaskFilter, page: Page): Promise<Task[]> {
    this.check();
    return this.reads.listTasks(filter, page);
  }
  async listDependents(taskId: string): Promise<Task[]> {
    this.check();
    return this.reads.listDependents(taskId);
  }
  async listReadyTasks(now: number, limit: number, except?: ReadyExclusion): Promise<Task[]> {
    this.check();
    return this.reads.listReadyTasks(now, limit, except);
  }
  async listExpiredLeases(now: number, limit: number): Promise<Task[]> {
    this.check();
    return this.reads.listExpiredLeases(now, limit);
  }
  async listDueDeadlines(now: number, limit: number): Promise<Task[]> {
    this.check();
    return this.reads.listDueDeadlines(now, limit);
  }
  async listDueRetries(now: number, limit: number): Promise<Task[]> {
    this.check();
    return this.reads.listDueRetries(now, limit);
  }
  async nextRetryAt(): Promise<number | null> {
    this.check();
    return this.reads.nextRetryAt();
  }
  async listSilentAgents(before: number): Promise<Agent[]> {
    this.check();
    return this.reads.listSilentAgents(before);
  }
  async countTasksByState(goalId?: string): Promise<Partial<Record<TaskState, number>>> {
    this.check();
    return this.reads.countTasksByState(goalId);
  }
  async countHeldBackByReason(): Promise<Partial<Record<HeldBackCode, number>>> {
    this.check();
    return this.reads.countHeldBackByReason();
  }
  async countReadyByPriority(): Promise<Partial<Record<Priority, number>>> {
    this.check();
    return this.reads.countReadyByPriority();
  }
  async countGoalsByState(): Promise<Partial<Record<GoalState, number>>> {
    this.check();
    return this.reads.countGoalsByState();
  }
  async countAgentsByState(): Promise<Partial<Record<AgentState, number>>> {
    this.check();
    return this.reads.countAgentsByState();
  }
  async listEvents(filter: EventFilter): Promise<EventRecord[]> {
    this.check();
    return this.reads.listEvents(filter);
  }
  async lastEventSeq(): Promise<number> {
    this.check();
    return this.reads.lastEventSeq();
  }
  async getTokenByHash(hash: string): Promise<TokenRecord | null> {
    this.check();
    return this.reads.getTokenByHash(hash);
  }
  async listTokens(): Promise<TokenRecord[]> {
    this.check();
    return this.reads.listTokens();
  }
  async getA2aTask(goalId: string): Promise<A2aTaskRecord | null> {
    this.check();
    return this.reads.a2a.getTask(goalId);
  }
  async listA2aPushConfigs(goalId: string): Promise<A2aPushConfig[]> {
    this.check();
    return this.reads.a2a.listPushConfigs(goalId);
  }
  async listA2aRemotes(): Promise<A2aRemoteRecord[]> {
    this.check();
    return this.reads.listA2aRemotes();
  }
}

export class SqliteTx extends SqliteReadTx implements Tx {
  constructor(
    reads: ReadQueries,
    private readonly writes: WriteQueries,
  ) {
    super(reads);
  }

  async putAgent(agent: Agent): Promise<void> {
    this.check();
    this.writes.putAgent(agent);
  }
  async insertGoal(goal: Goal): Promise<void> {
    this.check();
    this.writes.insertGoal(goal);
  }
  async putGoal(goal: Goal): Promise<void> {
    this.check();
    this.writes.putGoal(goal);
  }
  async insertTasks(tasks: readonly Task[]): Promise<void> {
    this.check();
    this.writes.insertTasks(tasks);
  }
  async putTask(task: Task): Promise<void> {
    this.check();
    this.writes.putTask(task);
  }
  async setWaiting(changes: readonly WaitingChange[]): Promise<void> {
    this.check();
    this.writes.setWaiting(changes);
  }
  async appendEvents(events: readonly NewEvent[]): Promise<void> {
    this.check();
    this.writes.appendEvents(events);
  }
  async insertToken(token: TokenRecord): Promise<void> {
    this.check();
    this.writes.insertToken(token);
  }
  async putToken(token: TokenRecord): Promise<void> {
    this.check();
    this.writes.putToken(token);
  }
  async insertA2aTask(record: A2aTaskRecord): Promise<void> {
    this.check();
    this.writes.a2a.insertTask(record);
  }
  async putA2aPushConfig(config: A2aPushConfig): Promise<void> {
    this.check();
    this.writes.a2a.putPushConfig(config);
  }
  async deleteA2aPushConfig(goalId: string, id: string): Promise<boolean> {
    this.check();
    return this.writes.a2a.deletePushConfig(goalId, id);
  }
  async putA2aRemote(remote: A2aRemoteRecord): Promise<void> {
    this.check();
    this.writes.putA2aRemote(remote);
  }
  async deleteA2aRemote(agentId: string): Promise<boolean> {
    this.check();
    return this.writes.deleteA2aRemote(agentId);
  }
}
