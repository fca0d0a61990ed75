import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../registry/agent.ts';
import type { Goal } from '../scheduler/goal.ts';
import type { Task } from '../scheduler/task.ts';
import type { Backend, ReadTx, Tx } from './backend.ts';
import { agent, goal, task, uid } from './contract-records.ts';
import { contractOfLogAndTransactions, type ContractHarness } from './backend-contract-log.ts';

/**
 * The promises of the `Backend` interface (store/backend.ts) as one vitest suite, run by each
 * backend's test file against a fresh, empty database per test:
 *
 * ```ts
 * runBackendContract('sqlite', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'kos-'));
 *   const backend = await openSqliteBackend({ file: join(dir, 'kos.db'), synchronous: 'FULL' });
 *   return { backend, cleanup: async () => { await backend.close(); await rm(dir, { recursive: true }); } };
 * });
 * ```
 * It uses only the interface, so it holds every backend to the same behaviour.
 */
export function runBackendContract(
  name: string,
  createBackend: () => Promise<{ backend: Backend; cleanup: () => Promise<void> }>,
): void {
  describe(`Backend contract: ${name}`, () => {
    let backend: Backend;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ backend, cleanup } = await createBackend());
    });
    afterEach(async () => {
      await cleanup();
    });
    const write = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => backend.transaction(fn);
    const read = <T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> => backend.read(fn);
    const ids = (rows: readonly { id: string }[]): string[] => rows.map((r) => r.id);
    /** A goal g and its tasks, inserted in one transaction. */
    const seed = async (tasks: readonly Partial<Task>[], g: Goal = goal()): Promise<Task[]> => {
      const rows = tasks.map((t) => task(g.id, t));
      await write(async (tx) => {
        await tx.insertGoal(g);
        await tx.insertTasks(rows);
      });
      return rows;
    };

    const harness: ContractHarness = {
      get backend() {
        return backend;
      },
      write,
      read,
    };

    describe('agents', () => {
      it('round-trips an agent with its skills and stats, by id and by name', async () => {
        const a = agent();
        await write((tx) => tx.putAgent(a));
        expect(await read((tx) => tx.getAgent(a.id))).toEqual(a);
        expect(await read((tx) => tx.getAgentByName(a.name))).toEqual(a);
        expect(await read((tx) => tx.getAgent('nobody'))).toBeNull();
        expect(await read((tx) => tx.getAgentByName('nobody'))).toBeNull();
      });

      it('putAgent replaces the agent with the same id', async () => {
        const a = agent();
        const changed: Agent = {
          ...a,
          state: 'draining',
          trust: 0.2,
          stats: {},
          skills: ['x'],
          updatedAt: 5000,
        };
        await write((tx) => tx.putAgent(a));
        await write((tx) => tx.putAgent(changed));
        expect(await read((tx) => tx.listAgents())).toEqual([changed]);
      });

      it('lists and counts agents by state; an empty state list matches none', async () => {
        const [a, b, c] = [agent(), agent({ state: 'lost' }), agent({ state: 'quarantined' })];
        await write(async (tx) => {
          for (const x of [a, b, c]) await tx.putAgent(x);
        });
        expect(ids(await read((tx) => tx.listAgents())).sort()).toEqual([a.id, b.id, c.id].sort());
        expect(ids(await read((tx) => tx.listAgents(['lost', 'quarantined']))).sort()).toEqual(
          [b.id, c.id].sort(),
        );
        expect(await read((tx) => tx.listAgents([]))).toEqual([]);
        expect(await read((tx) => tx.countAgentsByState())).toEqual({ active: 1, lost: 1, quarantined: 1 });
      });

      it('lists active or draining agents whose last heartbeat is before the given time', async () => {
        const agents = [
          agent({ lastHeartbeatAt: 100 }),
          agent({ state: 'draining', lastHeartbeatAt: 50 }),
          agent({ lastHeartbeatAt: 200 }),
          agent({ state: 'lost', lastHeartbeatAt: 10 }),
          agent({ state: 'quarantined', lastHeartbeatAt: 10 }),
        ];
        await write(async (tx) => {
          for (const x of agents) await tx.putAgent(x);
        });
        const silent = await read((tx) => tx.listSilentAgents(200));
        expect(ids(silent).sort()).toEqual([agents[0]!.id, agents[1]!.id].sort());
      });
    });

    describe('goals', () => {
      it('round-trips a goal and replaces it with putGoal', async () => {
        const g = goal({ submittedBy: null });
        await write((tx) => tx.insertGoal(g));
        expect(await read((tx) => tx.getGoal(g.id))).toEqual(g);
        const done: Goal = { ...g, state: 'succeeded', succeededCount: 2, updatedAt: 9, finishedAt: 9 };
        await write((tx) => tx.putGoal(done));
        expect(await read((tx) => tx.getGoal(g.id))).toEqual(done);
        expect(await read((tx) => tx.getGoal('nothing'))).toBeNull();
      });

      it('rejects inserting a goal id twice and updating a goal that does not exist', async () => {
        const g = goal();
        await write((tx) => tx.insertGoal(g));
        await expect(write((tx) => tx.insertGoal({ ...g, goal: 'other' }))).rejects.toBeDefined();
        await expect(write((tx) => tx.putGoal(goal()))).rejects.toBeDefined();
        expect(await read((tx) => tx.getGoal(g.id))).toEqual(g);
      });

      it('lists goals newest first, filtered by state, one page after another', async () => {
        const gs = [1, 2, 3, 4, 5].map((n) =>
          goal({ createdAt: n * 10, state: n % 2 === 0 ? 'failed' : 'running' }),
        );
        await write(async (tx) => {
          for (const g of gs) await tx.insertGoal(g);
        });
        const [g1, g2, g3, g4, g5] = ids(gs);
        expect(ids(await read((tx) => tx.listGoals({}, { limit: 2 })))).toEqual([g5, g4]);
        expect(ids(await read((tx) => tx.listGoals({}, { limit: 2, after: g4 })))).toEqual([g3, g2]);
        expect(ids(await read((tx) => tx.listGoals({}, { limit: 2, after: g2 })))).toEqual([g1]);
        expect(ids(await read((tx) => tx.listGoals({ states: ['running'] }, { limit: 10 })))).toEqual([
          g5,
          g3,
          g1,
        ]);
        expect(
          ids(await read((tx) => tx.listGoals({ states: ['running'] }, { limit: 1, after: g5 }))),
        ).toEqual([g3]);
        expect(await read((tx) => tx.countGoalsByState())).toEqual({ running: 3, failed: 2 });
      });
    });

    describe('tasks', () => {
      it('round-trips tasks with JSON input, result and error exactly', async () => {
        const values: unknown[] = [
          null,
          true,
          0,
          -12.5,
          'text with "quotes", \\ and ünïcödé ✓',
          [],
          [1, 'two', [3], { four: 4 }],
          { nested: { deep: [null, false, 1e21] }, empty: {}, list: [] },
        ];
        const tasks = await seed(
          values.map((v, i) => ({
            input: v,
            result: values[values.length - 1 - i],
            error: i % 2 === 0 ? null : { code: 'E_X', message: `failed ${i}`, retryable: i % 3 === 0 },
          })),
        );
        expect(await read((tx) => tx.getTasks(ids(tasks)))).toEqual(expect.arrayContaining(tasks));
        for (const t of tasks) expect(await read((tx) => tx.getTask(t.id))).toEqual(t);
        expect(await read((tx) => tx.getTask('nothing'))).toBeNull();
      });

      it('putTask replaces the mutable fields and rejects an unknown task', async () => {
        const [t] = await seed([{}]);
        const leased: Task = {
          ...t!,
          state: 'leased',
          attempts: 1,
          epoch: 1,
          agentId: 'agent-1',
          leaseExpiresAt: 5000,
          leasedAt: 4000,
          result: { partial: [1, 2] },
          updatedAt: 4000,
        };
        await write((tx) => tx.putTask(leased));
        expect(await read((tx) => tx.getTask(t!.id))).toEqual(leased);
        await expect(write((tx) => tx.putTask({ ...leased, id: 'missing' }))).rejects.toBeDefined();
      });

      it('returns only the tasks that exist from getTasks', async () => {
        const [a, , c] = await seed([{}, {}, {}]);
        expect(ids(await read((tx) => tx.getTasks([c!.id, 'missing', a!.id]))).sort()).toEqual(
          [a!.id, c!.id].sort(),
        );
        expect(await read((tx) => tx.getTasks([]))).toEqual([]);
      });

      it('lists tasks in creation order, filtered by goal, state and agent, one page after another', async () => {
        const first = await seed([
          { id: `z-${uid('t')}` },
          { id: `a-${uid('t')}`, state: 'leased', agentId: 'ag' },
          { id: `m-${uid('t')}`, state: 'succeeded', agentId: 'ag' },
        ]);
        const second = await seed([{ state: 'leased', agentId: 'ag' }]);
        const [z, a, m] = ids(first);
        expect(ids(await read((tx) => tx.listTasks({ goalId: first[0]!.goalId }, { limit: 10 })))).toEqual([
          z,
          a,
          m,
        ]);
        expect(ids(await read((tx) => tx.listTasks({}, { limit: 2 })))).toEqual([z, a]);
        expect(ids(await read((tx) => tx.listTasks({}, { limit: 2, after: a })))).toEqual([m, second[0]!.id]);
        expect(ids(await read((tx) => tx.listTasks({ states: ['leased'] }, { limit: 10 })))).toEqual([
          a,
          second[0]!.id,
        ]);
        const agentOnly = await read((tx) =>
          tx.listTasks(
            { agentId: 'ag', goalId: first[0]!.goalId, states: ['leased', 'succeeded'] },
            { limit: 10 },
          ),
        );
        expect(ids(agentOnly)).toEqual([a, m]);
        expect(await read((tx) => tx.listTasks({ states: [] }, { limit: 10 }))).toEqual([]);
      });

      it('lists the tasks that depend on a task', async () => {
        const g = goal();
        const [a, b] = [task(g.id), task(g.id)];
        const c = task(g.id, { dependsOn: [a.id, b.id], pendingDeps: 2 });
        const d = task(g.id, { dependsOn: [a.id], pendingDeps: 1 });
        // Dependents declared before their dependencies are fine within one insert.
        await write(async (tx) => {
          await tx.insertGoal(g);
          await tx.insertTasks([c, d, a, b]);
        });
        expect(ids(await read((tx) => tx.listDependents(a.id))).sort()).toEqual([c.id, d.id].sort());
        expect(ids(await read((tx) => tx.listDependents(b.id)))).toEqual([c.id]);
        expect(await read((tx) => tx.listDependents(c.id))).toEqual([]);
        expect((await read((tx) => tx.getTask(c.id)))?.dependsOn).toEqual([a.id, b.id]);
      });

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
        expect(ids(await read((tx) => tx.listDueDeadlines(100, 10)))).toEqual(
          ids([leased!, ready!, running!]),
        );
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
        expect(
          ids(await write((tx) => tx.listReadyTasks(10, 1, { goalIds: ['none'], keys: ['api'] }))),
        ).toEqual(ids([f1!]));
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
    });

    contractOfLogAndTransactions(harness);
  });
}
