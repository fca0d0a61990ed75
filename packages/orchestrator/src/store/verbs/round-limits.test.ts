import { describe, expect, it } from 'vitest';
import type { PlannedTask } from '../../planner/index.ts';
import type { GoalPolicy } from '../../scheduler/policy.ts';
import { verbBackends, verbHarness } from '../verb-test-kit.ts';

/** Assignment rounds with goal limits, concurrency keys and weights, on each backend. */
describe.each(verbBackends())('bulkheads in rounds on $name', (backend) => {
  // A small round limit, so a capped goal can fill the whole window.
  const h = verbHarness(backend, {
    config: (c) => ({ ...c, scheduler: { ...c.scheduler, roundLimit: 20 } }),
  });

  const specs = (prefix: string, n: number, extra: Partial<PlannedTask> = {}): PlannedTask[] =>
    Array.from({ length: n }, (_, i) => h.task(`${prefix}${i}`, extra));
  const submit = async (tasks: PlannedTask[], policy: Partial<GoalPolicy> = {}) =>
    (await h.submit(tasks, policy)).goal.id;
  const leasedOf = async (goalId: string) =>
    (await h.store.read((tx) => tx.countLeasesByGoal([goalId]))).get(goalId) ?? 0;

  it('looks past a capped goal that fills the whole window to the goals queued behind it', async () => {
    await h.register('w', { maxParallel: 5 });
    const capped = await submit(specs('c', 60), { maxParallel: 2 });
    const behind = await submit(specs('b', 1));
    const leases = await h.store.assignRound('test');
    expect(await leasedOf(capped)).toBe(2);
    expect(await leasedOf(behind)).toBe(1);
    expect(leases).toHaveLength(3);
    // The cap holds across rounds: nothing more for it until a lease ends.
    expect(await h.store.assignRound('test')).toEqual([]);
  });

  it('caps a concurrency key across goals and rounds, and frees the slot when a lease ends', async () => {
    await h.register('w', { maxParallel: 10 });
    const db = { policy: { concurrency: { key: 'db', limit: 2 } } };
    await submit(specs('a', 3, db));
    await submit([...specs('b', 3, db), ...specs('free', 1)]);
    const first = await h.store.assignRound('test');
    expect(first.map((l) => l.task.policy.concurrency?.key ?? null).sort()).toEqual(['db', 'db', null]);
    expect(await h.store.assignRound('test')).toEqual([]);
    const done = first.find((l) => l.task.policy.concurrency !== null)!;
    await h.complete(done.task.id, 1);
    const next = await h.store.assignRound('test');
    expect(next.map((l) => l.task.policy.concurrency?.key)).toEqual(['db']);
  });

  it('shares a round between the goals of its window in proportion to their weights', async () => {
    await h.register('w', { maxParallel: 8 });
    // The light goal queued first; both fit in the round's window of 20.
    const light = await submit(specs('l', 10), { weight: 1 });
    const heavy = await submit(specs('h', 10), { weight: 3 });
    await h.store.assignRound('test');
    expect([await leasedOf(heavy), await leasedOf(light)]).toEqual([6, 2]);
  });
});
