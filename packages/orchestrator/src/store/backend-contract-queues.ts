import { expect, it } from 'vitest';
import type { Goal } from '../scheduler/goal.ts';
import type { Task } from '../scheduler/task.ts';
import type { ContractHarness } from './backend-contract-log.ts';
import { goal, task } from '../records.fixture.ts';

/** The harness plus `seed`: a goal and its tasks, inserted in one transaction. */
export interface QueueHarness extends ContractHarness {
  seed(tasks: readonly Partial<Task>[], g?: Goal): Promise<Task[]>;
}

/**
 * The task-queue queries of the backend contract: the ready queue, expired leases, due deadlines
 * and retries, and the lease and state counts (with the goal policies) a round and the sweeps read.
 * Registered inside the contract's `tasks` block, so the test names stay `… > tasks > …`.
 */
export function contractOfTaskQueues(h: QueueHarness): void {
  const { write, read, seed } = h;
  const ids = (rows: readonly { id: string }[]): string[] => rows.map((r) => r.id);

  it('lists ready tasks available by now, lowest readyKey first, up to the limit', async () => {
    const [k30, k10, later, k20, pending] = await seed([
      { state: 'ready', readyKey: 30, availableAt: 30 },
      { state: 'ready', readyKey: 10, availableAt: 0 },
      { state: 'ready', readyKey: 5, availableAt: 101 },
      { state: 'ready', readyKey: 20, availableAt: 100 },
      { state: 'pending', readyKey: 1, availableAt: 0 },
    ]);
    expect(ids(await read((tx) => tx.listReadyTasks(100, 10)))).toEqual(ids([k10!, k20!, k30!]));
    expect(ids(await read((tx) => tx.listReadyTasks(100, 2)))).toEqual(ids([k10!, k20!]));
    expect(ids(await read((tx) => tx.listReadyTasks(101, 10)))).toEqual(ids([later!, k10!, k20!, k30!]));
    expect(ids(await read((tx) => tx.listReadyTasks(100, 10)))).not.toContain(pending!.id);
  });

  it('sets the waiting reason of tasks and nothing else of their rows, and counts ready tasks by it', async () => {
    const [held, limited, queued, pending] = await seed([
      { state: 'ready' },
      { state: 'ready' },
      { state: 'ready' },
      { state: 'pending' },
    ]);
    const reason = { code: 'missing_skills', message: 'no active agent has skill gpu', since: 70 } as const;
    await write((tx) =>
      tx.setWaiting([
        { taskId: held!.id, waiting: reason },
        { taskId: limited!.id, waiting: { code: 'goal_limit', message: 'at its limit', since: 80 } },
        { taskId: pending!.id, waiting: { ...reason, since: 90 } },
        { taskId: 'no-such-task', waiting: null },
      ]),
    );
    expect(await read((tx) => tx.getTask(held!.id))).toEqual({ ...held, waiting: reason });
    // Counted for ready tasks only.
    expect(await read((tx) => tx.countHeldBackByReason())).toEqual({ missing_skills: 1, goal_limit: 1 });
    await write((tx) => tx.setWaiting([{ taskId: held!.id, waiting: null }]));
    expect(await read((tx) => tx.getTask(held!.id))).toEqual(held);
    expect((await read((tx) => tx.getTask(queued!.id)))?.waiting).toBeNull();
    expect(await read((tx) => tx.countHeldBackByReason())).toEqual({ goal_limit: 1 });
  });

  it('lists leased or running tasks whose lease expired before now', async () => {
    const [leased, running, fresh, ready] = await seed([
      { state: 'leased', agentId: 'a', leaseExpiresAt: 90 },
      { state: 'running', agentId: 'a', leaseExpiresAt: 50 },
      { state: 'running', agentId: 'a', leaseExpiresAt: 100 },
      { state: 'ready', leaseExpiresAt: 10 },
    ]);
    expect(ids(await read((tx) => tx.listExpiredLeases(100, 10))).sort()).toEqual(
      ids([leased!, running!]).sort(),
    );
    expect(await read((tx) => tx.listExpiredLeases(100, 1))).toHaveLength(1);
    const all = ids(await read((tx) => tx.listExpiredLeases(101, 10)));
    expect(all).toContain(fresh!.id);
    expect(all).not.toContain(ready!.id);
  });

  it('lists ready, leased or running tasks whose timeout deadline passed, earliest first', async () => {
    const [ready, leased, running, later, none, succeeded, cancelling] = await seed([
      { state: 'ready', deadlineAt: 50 },
      { state: 'leased', agentId: 'a', deadlineAt: 30 },
      { state: 'running', agentId: 'a', deadlineAt: 90 },
      { state: 'running', agentId: 'a', deadlineAt: 150 },
      { state: 'ready', deadlineAt: null },
      { state: 'succeeded', deadlineAt: 10 },
      { state: 'cancelling', agentId: 'a', deadlineAt: 10 },
    ]);
    expect(ids(await read((tx) => tx.listDueDeadlines(100, 10)))).toEqual(ids([leased!, ready!, running!]));
    expect(ids(await read((tx) => tx.listDueDeadlines(100, 2)))).toEqual(ids([leased!, ready!]));
    const all = ids(await read((tx) => tx.listDueDeadlines(1000, 10)));
    expect(all).toContain(later!.id);
    for (const t of [none!, succeeded!, cancelling!]) expect(all).not.toContain(t.id);
  });

  it('counts a cancelling task as a lease until it ends, and finds it when its deadline passes', async () => {
    const [cancelling] = await seed([{ state: 'cancelling', agentId: 'a9', leaseExpiresAt: 40 }]);
    expect((await read((tx) => tx.countLeasesByAgent())).get('a9')).toBe(1);
    expect(ids(await read((tx) => tx.listExpiredLeases(50, 10)))).toEqual([cancelling!.id]);
  });

  it('counts leases per goal and per concurrency key, only for the goals and keys asked', async () => {
    const keyed = (key: string): Partial<Task> => ({
      policy: { ...task('any').policy, concurrency: { key, limit: 2 } },
    });
    const [g1, g2, g3] = [goal(), goal(), goal()];
    await seed(
      [
        { state: 'leased', agentId: 'a1', ...keyed('db') },
        { state: 'running', agentId: 'a1', ...keyed('db') },
        { state: 'cancelling', agentId: 'a2', ...keyed('api') },
        { state: 'ready', ...keyed('db') },
        { state: 'succeeded', agentId: 'a1', ...keyed('db') },
      ],
      g1,
    );
    await seed(
      [
        { state: 'running', agentId: 'a2', ...keyed('db') },
        { state: 'leased', agentId: 'a2' },
      ],
      g2,
    );
    await seed([{ state: 'ready' }, { state: 'retrying' }], g3);
    expect(await read((tx) => tx.countLeasesByGoal([g1.id, g2.id, g3.id, 'missing']))).toEqual(
      new Map([
        [g1.id, 3],
        [g2.id, 2],
      ]),
    );
    expect(await read((tx) => tx.countLeasesByGoal([g2.id]))).toEqual(new Map([[g2.id, 2]]));
    expect(await read((tx) => tx.countLeasesByGoal([]))).toEqual(new Map());
    expect(await read((tx) => tx.countLeasesByKey(['db', 'api', 'none']))).toEqual(
      new Map([
        ['db', 3],
        ['api', 1],
      ]),
    );
    expect(await read((tx) => tx.countLeasesByKey(['api']))).toEqual(new Map([['api', 1]]));
    expect(await read((tx) => tx.countLeasesByKey([]))).toEqual(new Map());
    // Inside a transaction too (the round counts there).
    expect(await write((tx) => tx.countLeasesByKey(['db']))).toEqual(new Map([['db', 3]]));
  });

  it('reads the policies of the goals asked', async () => {
    const capped = goal({ policy: { onTaskDeath: 'continue', maxParallel: 2, weight: 5 } });
    const plain = goal();
    await write(async (tx) => {
      await tx.insertGoal(capped);
      await tx.insertGoal(plain);
    });
    expect(await read((tx) => tx.getGoalPolicies([capped.id, plain.id, 'missing']))).toEqual(
      new Map([
        [capped.id, capped.policy],
        [plain.id, plain.policy],
      ]),
    );
    expect(await write((tx) => tx.getGoalPolicies([]))).toEqual(new Map());
  });

  it('lists ready tasks past the goals and concurrency keys it is told to skip', async () => {
    const keyed = (key: string): Partial<Task> => ({
      policy: { ...task('any').policy, concurrency: { key, limit: 1 } },
    });
    const [full, other] = [goal(), goal()];
    const [f1, f2] = await seed(
      [
        { state: 'ready', readyKey: 1, availableAt: 0 },
        { state: 'ready', readyKey: 2, availableAt: 0 },
      ],
      full,
    );
    const [db, plain, api] = await seed(
      [
        { state: 'ready', readyKey: 3, availableAt: 0, ...keyed('db') },
        { state: 'ready', readyKey: 4, availableAt: 0 },
        { state: 'ready', readyKey: 5, availableAt: 0, ...keyed('api') },
      ],
      other,
    );
    const all = ids([f1!, f2!, db!, plain!, api!]);
    expect(ids(await read((tx) => tx.listReadyTasks(10, 10, { goalIds: [], keys: [] })))).toEqual(all);
    expect(ids(await read((tx) => tx.listReadyTasks(10, 10, { goalIds: [full.id], keys: [] })))).toEqual(
      ids([db!, plain!, api!]),
    );
    expect(
      ids(await read((tx) => tx.listReadyTasks(10, 10, { goalIds: [full.id], keys: ['db', 'x'] }))),
    ).toEqual(ids([plain!, api!]));
    expect(ids(await write((tx) => tx.listReadyTasks(10, 1, { goalIds: ['none'], keys: ['api'] })))).toEqual(
      ids([f1!]),
    );
  });

  it('lists retrying tasks that are due and tells when the next one is', async () => {
    expect(await read((tx) => tx.nextRetryAt())).toBeNull();
    const [soon, late, ready] = await seed([
      { state: 'retrying', availableAt: 200 },
      { state: 'retrying', availableAt: 300 },
      { state: 'ready', availableAt: 100 },
    ]);
    expect(await read((tx) => tx.nextRetryAt())).toBe(200);
    expect(ids(await read((tx) => tx.listDueRetries(200, 10)))).toEqual([soon!.id]);
    expect(ids(await read((tx) => tx.listDueRetries(1000, 10)))).toEqual(ids([soon!, late!]));
    expect(await read((tx) => tx.listDueRetries(1000, 1))).toHaveLength(1);
    expect(ids(await read((tx) => tx.listDueRetries(1000, 10)))).not.toContain(ready!.id);
  });

  it('counts leases per agent and tasks per state, overall and per goal', async () => {
    const first = await seed([
      { state: 'leased', agentId: 'a1' },
      { state: 'running', agentId: 'a1' },
      { state: 'running', agentId: 'a2' },
      { state: 'succeeded', agentId: 'a3' },
    ]);
    await seed([{ state: 'ready' }, { state: 'leased', agentId: 'a2' }]);
    expect(await read((tx) => tx.countLeasesByAgent())).toEqual(
      new Map([
        ['a1', 2],
        ['a2', 2],
      ]),
    );
    expect(await read((tx) => tx.countTasksByState())).toEqual({
      leased: 2,
      running: 2,
      succeeded: 1,
      ready: 1,
    });
    expect(await read((tx) => tx.countTasksByState(first[0]!.goalId))).toEqual({
      leased: 1,
      running: 2,
      succeeded: 1,
    });
  });
}
