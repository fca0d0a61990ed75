import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/index.ts';
import type { Config } from '../../config/types.ts';
import { planFromTasks, type PlannedTask } from '../../planner/index.ts';
import { DEFAULT_GOAL_POLICY, type GoalPolicy } from '../../scheduler/policy.ts';
import { Store } from '../store.ts';
import { testBackends } from '../test-backends.ts';

/** Assignment rounds with goal limits, concurrency keys and weights, on each backend. */
describe.each(testBackends())('bulkheads in rounds on $name', ({ open }) => {
  let dir: string;
  let store: Store;
  let config: Config;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kos-bulkheads-'));
    const base = resolveConfig({ env: {}, flags: { dataDir: dir } });
    // A small round limit, so a capped goal can fill the whole window.
    config = { ...base, scheduler: { ...base.scheduler, roundLimit: 20 } };
    store = new Store(await open(dir), config, { now: () => 1_000_000 }, () => 0.5);
  });
  afterEach(async () => {
    await store.backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const specs = (prefix: string, n: number, extra: Partial<PlannedTask> = {}): PlannedTask[] =>
    Array.from({ length: n }, (_, i) => ({
      name: `${prefix}${i}`,
      skills: ['s'],
      priority: 'medium',
      estimatedDurationMs: 1000,
      dependsOn: [],
      input: null,
      ...extra,
    }));
  const submit = async (tasks: PlannedTask[], policy: Partial<GoalPolicy> = {}) =>
    (
      await store.submitGoal('test', {
        goal: 'g',
        context: '',
        priority: 'medium',
        plan: planFromTasks(tasks, config.limits),
        policy: { ...DEFAULT_GOAL_POLICY, ...policy },
      })
    ).goal.id;
  const leasedOf = async (goalId: string) =>
    (await store.read((tx) => tx.countLeasesByGoal([goalId]))).get(goalId) ?? 0;

  it('looks past a capped goal that fills the whole window to the goals queued behind it', async () => {
    await store.registerAgent('test', { name: 'w', skills: ['s'], maxParallel: 5 });
    const capped = await submit(specs('c', 60), { maxParallel: 2 });
    const behind = await submit(specs('b', 1));
    const leases = await store.assignRound('test');
    expect(await leasedOf(capped)).toBe(2);
    expect(await leasedOf(behind)).toBe(1);
    expect(leases).toHaveLength(3);
    // The cap holds across rounds: nothing more for it until a lease ends.
    expect(await store.assignRound('test')).toEqual([]);
  });

  it('caps a concurrency key across goals and rounds, and frees the slot when a lease ends', async () => {
    await store.registerAgent('test', { name: 'w', skills: ['s'], maxParallel: 10 });
    const db = { policy: { concurrency: { key: 'db', limit: 2 } } };
    await submit(specs('a', 3, db));
    await submit([...specs('b', 3, db), ...specs('free', 1)]);
    const first = await store.assignRound('test');
    expect(first.map((l) => l.task.policy.concurrency?.key ?? null).sort()).toEqual(['db', 'db', null]);
    expect(await store.assignRound('test')).toEqual([]);
    const done = first.find((l) => l.task.policy.concurrency !== null)!;
    await store.completeTask('test', {
      taskId: done.task.id,
      agentId: done.agentId,
      epoch: done.task.epoch,
      result: 1,
    });
    const next = await store.assignRound('test');
    expect(next.map((l) => l.task.policy.concurrency?.key)).toEqual(['db']);
  });

  it('shares a round between the goals of its window in proportion to their weights', async () => {
    await store.registerAgent('test', { name: 'w', skills: ['s'], maxParallel: 8 });
    // The light goal queued first; both fit in the round's window of 20.
    const light = await submit(specs('l', 10), { weight: 1 });
    const heavy = await submit(specs('h', 10), { weight: 3 });
    await store.assignRound('test');
    expect([await leasedOf(heavy), await leasedOf(light)]).toEqual([6, 2]);
  });
});
