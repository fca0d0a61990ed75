import type { Priority } from '@kos/protocol';
import type { Agent, AgentState } from '../registry/agent.ts';
import type { Goal, GoalState } from '../scheduler/goal.ts';
import type { GoalPolicy } from '../scheduler/policy.ts';
import type { HeldBackCode, Task, TaskState } from '../scheduler/task.ts';
import type {
  EventFilter,
  GoalFilter,
  Page,
  ReadyExclusion,
  TaskFilter,
  Tx,
  WaitingChange,
} from './backend.ts';
import type { BatchRows } from './batch-rows.ts';
import type {
  A2aPushConfig,
  A2aRemoteRecord,
  A2aTaskRecord,
  EventRecord,
  NewEvent,
  TokenRecord,
} from './records.ts';

/**
 * One op's Tx within a group-commit batch, on either backend: agent and goal writes go to the
 * batch's held rows (BatchRows), reads by id answer from them first, and the queries that read
 * those tables otherwise write them before they run. Everything else is the backend's own Tx.
 */
export class HeldRowsTx implements Tx {
  constructor(
    private readonly inner: Tx,
    private readonly rows: BatchRows,
  ) {}

  async getAgent(id: string): Promise<Agent | null> {
    const held = this.rows.agent(id);
    if (held !== undefined) return held;
    const agent = await this.inner.getAgent(id);
    if (agent !== null) this.rows.exists('agent', id);
    return agent;
  }
  async getGoal(id: string): Promise<Goal | null> {
    const held = this.rows.goal(id);
    if (held !== undefined) return held;
    const goal = await this.inner.getGoal(id);
    if (goal !== null) this.rows.exists('goal', id);
    return goal;
  }
  async putAgent(agent: Agent): Promise<void> {
    await this.rows.putAgent(agent, this.inner);
  }
  async putGoal(goal: Goal): Promise<void> {
    await this.rows.putGoal(goal, this.inner);
  }
  async insertGoal(goal: Goal): Promise<void> {
    await this.inner.insertGoal(goal);
    this.rows.exists('goal', goal.id);
  }

  async getAgentByName(name: string): Promise<Agent | null> {
    await this.rows.writeHeld(this.inner);
    return this.inner.getAgentByName(name);
  }
  async listAgents(states?: readonly AgentState[]): Promise<Agent[]> {
    await this.rows.writeHeld(this.inner);
    const agents = await this.inner.listAgents(states);
    for (const a of agents) this.rows.exists('agent', a.id);
    return agents;
  }
  async listSilentAgents(before: number): Promise<Agent[]> {
    await this.rows.writeHeld(this.inner);
    return this.inner.listSilentAgents(before);
  }
  async countAgentsByState(): Promise<Partial<Record<AgentState, number>>> {
    await this.rows.writeHeld(this.inner);
    return this.inner.countAgentsByState();
  }
  async listGoals(filter: GoalFilter, page: Page): Promise<Goal[]> {
    await this.rows.writeHeld(this.inner);
    return this.inner.listGoals(filter, page);
  }
  async countReadyByPriority(): Promise<Partial<Record<Priority, number>>> {
    await this.rows.writeHeld(this.inner);
    return this.inner.countReadyByPriority();
  }
  async countGoalsByState(): Promise<Partial<Record<GoalState, number>>> {
    await this.rows.writeHeld(this.inner);
    return this.inner.countGoalsByState();
  }

  // A goal's policy never changes, and leases and events are task and event rows: not held.
  countLeasesByAgent(): Promise<Map<string, number>> {
    return this.inner.countLeasesByAgent();
  }
  countLeasesByGoal(goalIds: readonly string[]): Promise<Map<string, number>> {
    return this.inner.countLeasesByGoal(goalIds);
  }
  countLeasesByKey(keys: readonly string[]): Promise<Map<string, number>> {
    return this.inner.countLeasesByKey(keys);
  }
  getGoalPolicies(ids: readonly string[]): Promise<Map<string, GoalPolicy>> {
    return this.inner.getGoalPolicies(ids);
  }
  getTask(id: string): Promise<Task | null> {
    return this.inner.getTask(id);
  }
  getTasks(ids: readonly string[]): Promise<Task[]> {
    return this.inner.getTasks(ids);
  }
  listTasks(filter: TaskFilter, page: Page): Promise<Task[]> {
    return this.inner.listTasks(filter, page);
  }
  listDependents(taskId: string): Promise<Task[]> {
    return this.inner.listDependents(taskId);
  }
  listReadyTasks(now: number, limit: number, except?: ReadyExclusion): Promise<Task[]> {
    return this.inner.listReadyTasks(now, limit, except);
  }
  listExpiredLeases(now: number, limit: number): Promise<Task[]> {
    return this.inner.listExpiredLeases(now, limit);
  }
  listDueDeadlines(now: number, limit: number): Promise<Task[]> {
    return this.inner.listDueDeadlines(now, limit);
  }
  listDueRetries(now: number, limit: number): Promise<Task[]> {
    return this.inner.listDueRetries(now, limit);
  }
  nextRetryAt(): Promise<number | null> {
    return this.inner.nextRetryAt();
  }
  countTasksByState(goalId?: string): Promise<Partial<Record<TaskState, number>>> {
    return this.inner.countTasksByState(goalId);
  }
  countHeldBackByReason(): Promise<Partial<Record<HeldBackCode, number>>> {
    return this.inner.countHeldBackByReason();
  }
  listEvents(filter: EventFilter): Promise<EventRecord[]> {
    return this.inner.listEvents(filter);
  }
  lastEventSeq(): Promise<number> {
    return this.inner.lastEventSeq();
  }
  getTokenByHash(hash: string): Promise<TokenRecord | null> {
    return this.inner.getTokenByHash(hash);
  }
  listTokens(): Promise<TokenRecord[]> {
    return this.inner.listTokens();
  }
  listA2aRemotes(): Promise<A2aRemoteRecord[]> {
    return this.inner.listA2aRemotes();
  }
  insertTasks(tasks: readonly Task[]): Promise<void> {
    return this.inner.insertTasks(tasks);
  }
  putTask(task: Task): Promise<void> {
    return this.inner.putTask(task);
  }
  setWaiting(changes: readonly WaitingChange[]): Promise<void> {
    return this.inner.setWaiting(changes);
  }
  appendEvents(events: readonly NewEvent[]): Promise<void> {
    return this.inner.appendEvents(events);
  }
  insertToken(token: TokenRecord): Promise<void> {
    return this.inner.insertToken(token);
  }
  putToken(token: TokenRecord): Promise<void> {
    return this.inner.putToken(token);
  }
  getA2aTask(goalId: string): Promise<A2aTaskRecord | null> {
    return this.inner.getA2aTask(goalId);
  }
  listA2aPushConfigs(goalId: string): Promise<A2aPushConfig[]> {
    return this.inner.listA2aPushConfigs(goalId);
  }
  insertA2aTask(record: A2aTaskRecord): Promise<void> {
    return this.inner.insertA2aTask(record);
  }
  putA2aPushConfig(config: A2aPushConfig): Promise<void> {
    return this.inner.putA2aPushConfig(config);
  }
  deleteA2aPushConfig(goalId: string, id: string): Promise<boolean> {
    return this.inner.deleteA2aPushConfig(goalId, id);
  }
  putA2aRemote(remote: A2aRemoteRecord): Promise<void> {
    return this.inner.putA2aRemote(remote);
  }
  deleteA2aRemote(agentId: string): Promise<boolean> {
    return this.inner.deleteA2aRemote(agentId);
  }
}
