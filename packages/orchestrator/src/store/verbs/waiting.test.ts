import { describe, expect, it } from 'vitest';
import { verbBackends, verbHarness } from '../verb-test-kit.ts';

/** The reasons rounds keep on the ready tasks they leave behind, on each backend. */
describe.each(verbBackends())('why ready tasks wait on $name', (backend) => {
  const h = verbHarness(backend);

  it('keeps the reason a round held a task back with, from the round that first gave it, until it is leased', async () => {
    await h.register('w', { maxParallel: 5 });
    const { tasks } = await h.submit([h.task('gpu', { skills: ['gpu'] }), h.task('plain')]);
    const gpu = tasks[0]!.id;
    expect((await h.get(gpu)).waiting).toBeNull();

    const first = h.clock.now;
    expect((await h.store.assignRound('test')).map((l) => l.task.name)).toEqual(['plain']);
    const held = { code: 'missing_skills', message: 'no active agent has skill gpu', since: first };
    expect((await h.get(gpu)).waiting).toEqual(held);
    // Given again by a later round, the reason is not written again: it keeps its first round's time.
    h.clock.now += 5_000;
    await h.store.assignRound('test');
    expect((await h.get(gpu)).waiting).toEqual(held);
    expect(await h.store.read((tx) => tx.countHeldBackByReason())).toEqual({ missing_skills: 1 });

    await h.register('g', { skills: ['gpu'] });
    const leased = await h.store.assignRound('test');
    expect(leased.map((l) => [l.task.name, l.task.waiting])).toEqual([['gpu', null]]);
    expect((await h.get(gpu)).waiting).toBeNull();
    expect(await h.store.read((tx) => tx.countHeldBackByReason())).toEqual({});
  });

  it('clears a reason once the task only waits for a busy agent that can take it', async () => {
    await h.register('w', { maxParallel: 1 });
    await h.register('v', { skills: ['other'], maxParallel: 1 });
    const { goal } = await h.submit([h.task('a0'), h.task('a1')], { maxParallel: 1 });
    const [lease] = await h.store.assignRound('test');
    const [waiting] = await h.store.read((tx) =>
      tx.listTasks({ goalId: goal.id, states: ['ready'] }, { limit: 9 }),
    );
    expect(waiting?.waiting).toMatchObject({
      code: 'goal_limit',
      message: `goal ${goal.id} is at its limit of 1 leased tasks (max_parallel_tasks)`,
    });
    // The goal's lease ends, and a critical task takes the only agent able to run the other.
    await h.complete(lease!.task.id);
    await h.submit([h.task('urgent', { priority: 'critical' })]);
    expect((await h.store.assignRound('test')).map((l) => l.task.name)).toEqual(['urgent']);
    expect((await h.get(waiting!.id)).waiting).toBeNull();
    expect(await h.store.read((tx) => tx.countHeldBackByReason())).toEqual({});
  });
});
