import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../registry/agent.ts';
import type { Goal } from '../scheduler/goal.ts';
import type { Task } from '../scheduler/task.ts';
import type { Backend, ReadTx, Tx } from './backend.ts';
import { agent, goal, task, uid } from '../records.fixture.ts';
import { contractOfA2a } from './backend-contract-a2a.ts';
import { contractOfBatchHook } from './backend-contract-hook.ts';
import { contractOfLogAndTransactions } from './backend-contract-log.ts';
import { contractOfDashboardReads } from './backend-contract-reads.ts';
import { contractOfTaskQueues, type QueueHarness } from './backend-contract-queues.ts';

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

    const harness: QueueHarness = {
      get backend() {
        return backend;
      },
      write,
      read,
      seed,
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

      it('round-trips a planning goal’s planning state, and its change to running', async () => {
        const planning: Goal['planning'] = {
          planner: 'llm',
          context: { quarter: 'Q4', tags: ['a'] },
          maxRepairs: 2,
          rejected: 0,
          fallback: { template: 'analysis', tasks: [] },
        };
        const g = goal({ state: 'planning', template: 'planner', planning });
        await write((tx) => tx.insertGoal(g));
        expect(await read((tx) => tx.getGoal(g.id))).toEqual(g);
        const repaired: Goal = {
          ...g,
          state: 'running',
          planning: { ...planning, rejected: 1 },
          taskCount: 4,
        };
        await write((tx) => tx.putGoal(repaired));
        expect(await read((tx) => tx.getGoal(g.id))).toEqual(repaired);
        expect(ids(await read((tx) => tx.listGoals({ states: ['running'] }, { limit: 5 })))).toEqual([g.id]);
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

      contractOfTaskQueues(harness);
    });

    contractOfLogAndTransactions(harness);
    contractOfDashboardReads(harness);
    contractOfBatchHook(harness);
    contractOfA2a(harness);
  });
}
