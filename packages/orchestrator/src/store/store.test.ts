import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { planFromTasks, type PlannedTask } from '../planner/index.ts';
import type { Backend } from './backend.ts';
import { openPostgresBackend } from './postgres/index.ts';
import { createTestDatabase, type TestDatabase } from './postgres/test-database.ts';
import { openSqliteBackend } from './sqlite/index.ts';
import { Store } from './store.ts';

/** How each backend is set up: SQLite on a file in the test's folder, PostgreSQL on a database of this file. */
let pgDatabase: TestDatabase | undefined;
const backends: { name: string; open: (dir: string) => Promise<Backend> }[] = [
  {
    name: 'sqlite',
    open: (dir) => openSqliteBackend({ file: `${dir}/kos.db`, synchronous: 'NORMAL' }),
  },
  {
    name: 'postgres',
    open: async () => {
      pgDatabase ??= await createTestDatabase();
      await pgDatabase.reset();
      return openPostgresBackend({ url: pgDatabase.url });
    },
  },
];
afterAll(async () => {
  await pgDatabase?.drop();
});

/** The domain verbs on each backend (a real SQLite file, a real PostgreSQL database), with a hand-driven clock. */
describe.each(backends)('store verbs on $name', ({ open }) => {
  let dir: string;
  let store: Store;
  let now: number;
  let config: Config;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kos-store-'));
    config = resolveConfig({ env: {}, flags: { dataDir: dir } });
    now = 1_000_000;
    const backend = await open(dir);
    store = new Store(backend, config, { now: () => now }, () => 0.5);
  });
  afterEach(async () => {
    await store.backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const task = (name: string, extra: Partial<PlannedTask> = {}): PlannedTask => ({
    name,
    skills: ['s'],
    priority: 'medium',
    estimatedDurationMs: 1000,
    dependsOn: [],
    input: null,
    ...extra,
  });

  async function submit(tasks: PlannedTask[]) {
    return store.submitGoal('test', {
      goal: 'g',
      context: '',
      priority: 'medium',
      plan: planFromTasks(tasks, config.limits),
    });
  }

  async function finish(taskId: string) {
    const t = await store.read((tx) => tx.getTask(taskId));
    return store.completeTask('test', { taskId, agentId: t!.agentId!, epoch: t!.epoch, result: 'ok' });
  }

  it('readies a join task only after all of its parents succeeded', async () => {
    await store.registerAgent('test', { name: 'w', skills: ['s'], maxParallel: 10 });
    const { tasks } = await submit([
      task('root'),
      task('left', { dependsOn: ['root'] }),
      task('right', { dependsOn: ['root'] }),
      task('join', { dependsOn: ['left', 'right'] }),
    ]);
    const [root, left, right, join] = tasks.map((t) => t.id) as [string, string, string, string];
    const state = async (id: string) => (await store.read((tx) => tx.getTask(id)))!.state;

    await store.assignRound('test');
    await finish(root);
    await store.assignRound('test');
    expect([await state(left), await state(right), await state(join)]).toEqual([
      'leased',
      'leased',
      'pending',
    ]);
    await finish(left);
    expect(await state(join)).toBe('pending');
    await finish(right);
    expect(await state(join)).toBe('ready');
    await store.assignRound('test');
    const done = await finish(join);
    expect(done.state).toBe('succeeded');
    const goal = await store.read((tx) => tx.getGoal(done.goalId));
    expect(goal?.state).toBe('succeeded');
  });

  it('runs tiers strictly, but lets a low task that waited past the aging bound overtake new critical work', async () => {
    const agent = (await store.registerAgent('test', { name: 'one', skills: ['s'], maxParallel: 1 })).agent;
    const step = config.scheduler.agingStepMs;
    const { tasks: lows } = await submit([task('low', { priority: 'low' })]);
    const { tasks: crit } = await submit([task('crit', { priority: 'critical' })]);
    // Submitted together: the critical task goes first.
    expect((await store.assignRound('test')).map((l) => l.task.id)).toEqual([crit[0]!.id]);
    await finish(crit[0]!.id);
    // The low task has now waited 3 aging steps; a fresh critical task no longer overtakes it.
    now += 3 * step + 1;
    await submit([task('crit-2', { priority: 'critical' })]);
    const next = await store.assignRound('test');
    expect(next.map((l) => l.task.id)).toEqual([lows[0]!.id]);
    expect(next[0]!.agentId).toBe(agent.id);
  });

  it('looks past ready tasks no free agent can take to one that it can', async () => {
    await store.registerAgent('test', { name: 'y-only', skills: ['y'], maxParallel: 1 });
    await submit(
      Array.from({ length: 40 }, (_, i) => task(`x${i}`, { skills: ['x'], priority: 'critical' })),
    );
    const { tasks } = await submit([task('y', { skills: ['y'], priority: 'low' })]);
    expect((await store.assignRound('test')).map((l) => l.task.id)).toEqual([tasks[0]!.id]);
  });

  it('never leases more tasks to an agent than its capacity', async () => {
    await store.registerAgent('test', { name: 'small', skills: ['s'], maxParallel: 2 });
    await submit([task('a'), task('b'), task('c')]);
    expect(await store.assignRound('test')).toHaveLength(2);
    expect(await store.assignRound('test')).toHaveLength(0);
  });

  it('waits out the retry backoff before a failed task is ready again', async () => {
    await store.registerAgent('test', { name: 'w', skills: ['s'] });
    const { tasks } = await submit([task('t')]);
    const [lease] = await store.assignRound('test');
    const failed = await store.failTask('test', {
      taskId: tasks[0]!.id,
      agentId: lease!.agentId,
      epoch: lease!.task.epoch,
      error: { code: 'x', message: 'boom', retryable: true },
    });
    expect(failed.task.state).toBe('retrying');
    const delay = failed.task.availableAt - now;
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(config.retry.baseDelayMs);
    now += delay - 1;
    expect((await store.sweep()).promoted).toBe(0);
    now += 1;
    expect((await store.sweep()).promoted).toBe(1);
    expect((await store.assignRound('test'))[0]?.task.attempts).toBe(2);
  });

  it('revokes the leases of an agent silent past the heartbeat TTL and counts the attempt', async () => {
    await store.registerAgent('test', { name: 'quiet', skills: ['s'] });
    const { tasks } = await submit([task('t')]);
    await store.assignRound('test');
    now += config.heartbeat.ttlMs + 1;
    const swept = await store.sweep();
    expect(swept.lostAgents).toBe(1);
    expect(swept.lost.map((t) => t.id)).toEqual([tasks[0]!.id]);
    const after = await store.read((tx) => tx.getTask(tasks[0]!.id));
    expect(after).toMatchObject({ state: 'ready', attempts: 1, agentId: null, epoch: 1 });
  });
});
