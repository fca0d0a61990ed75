import { describe, expect, it } from 'vitest';
import { verbBackends, verbHarness } from './verb-test-kit.ts';

/** The domain verbs on each backend (a real SQLite file, a real PostgreSQL database), with a hand-driven clock. */
describe.each(verbBackends())('store verbs on $name', (backend) => {
  const h = verbHarness(backend);

  it('readies a join task only after all of its parents succeeded', async () => {
    await h.register('w', { maxParallel: 10 });
    const { tasks } = await h.submit([
      h.task('root'),
      h.task('left', { dependsOn: ['root'] }),
      h.task('right', { dependsOn: ['root'] }),
      h.task('join', { dependsOn: ['left', 'right'] }),
    ]);
    const [root, left, right, join] = tasks.map((t) => t.id) as [string, string, string, string];
    const state = async (id: string) => (await h.store.read((tx) => tx.getTask(id)))!.state;

    await h.store.assignRound('test');
    await h.complete(root);
    await h.store.assignRound('test');
    expect([await state(left), await state(right), await state(join)]).toEqual([
      'leased',
      'leased',
      'pending',
    ]);
    await h.complete(left);
    expect(await state(join)).toBe('pending');
    await h.complete(right);
    expect(await state(join)).toBe('ready');
    await h.store.assignRound('test');
    const done = await h.complete(join);
    expect(done.state).toBe('succeeded');
    const goal = await h.store.read((tx) => tx.getGoal(done.goalId));
    expect(goal?.state).toBe('succeeded');
  });

  it('runs tiers strictly, but lets a low task that waited past the aging bound overtake new critical work', async () => {
    const agent = await h.register('one', { maxParallel: 1 });
    const step = h.config.scheduler.agingStepMs;
    const { tasks: lows } = await h.submit([h.task('low', { priority: 'low' })]);
    const { tasks: crit } = await h.submit([h.task('crit', { priority: 'critical' })]);
    // Submitted together: the critical task goes first.
    expect((await h.store.assignRound('test')).map((l) => l.task.id)).toEqual([crit[0]!.id]);
    await h.complete(crit[0]!.id);
    // The low task has now waited 3 aging steps; a fresh critical task no longer overtakes it.
    h.clock.now += 3 * step + 1;
    await h.submit([h.task('crit-2', { priority: 'critical' })]);
    const next = await h.store.assignRound('test');
    expect(next.map((l) => l.task.id)).toEqual([lows[0]!.id]);
    expect(next[0]!.agentId).toBe(agent.id);
  });

  it('looks past ready tasks no free agent can take to one that it can', async () => {
    await h.register('y-only', { skills: ['y'], maxParallel: 1 });
    await h.submit(
      Array.from({ length: 40 }, (_, i) => h.task(`x${i}`, { skills: ['x'], priority: 'critical' })),
    );
    const { tasks } = await h.submit([h.task('y', { skills: ['y'], priority: 'low' })]);
    expect((await h.store.assignRound('test')).map((l) => l.task.id)).toEqual([tasks[0]!.id]);
  });

  it('never leases more tasks to an agent than its capacity', async () => {
    await h.register('small', { maxParallel: 2 });
    await h.submit([h.task('a'), h.task('b'), h.task('c')]);
    expect(await h.store.assignRound('test')).toHaveLength(2);
    expect(await h.store.assignRound('test')).toHaveLength(0);
  });

  it('waits out the retry backoff before a failed task is ready again', async () => {
    await h.register('w');
    const { tasks } = await h.submit([h.task('t')]);
    const [lease] = await h.store.assignRound('test');
    const failed = await h.store.failTask('test', {
      taskId: tasks[0]!.id,
      agentId: lease!.agentId,
      epoch: lease!.task.epoch,
      error: { code: 'x', message: 'boom', retryable: true },
    });
    expect(failed.task.state).toBe('retrying');
    const delay = failed.task.availableAt - h.clock.now;
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(h.config.retry.baseDelayMs);
    h.clock.now += delay - 1;
    expect((await h.store.sweep()).promoted).toBe(0);
    h.clock.now += 1;
    expect((await h.store.sweep()).promoted).toBe(1);
    expect((await h.store.assignRound('test'))[0]?.task.attempts).toBe(2);
  });

  it('revokes the leases of an agent silent past the heartbeat TTL and counts the attempt', async () => {
    await h.register('quiet');
    const { tasks } = await h.submit([h.task('t')]);
    await h.store.assignRound('test');
    h.clock.now += h.config.heartbeat.ttlMs + 1;
    const swept = await h.store.sweep();
    expect(swept.lostAgents).toBe(1);
    expect(swept.lost.map((r) => r.task.id)).toEqual([tasks[0]!.id]);
    const after = await h.store.read((tx) => tx.getTask(tasks[0]!.id));
    expect(after).toMatchObject({ state: 'ready', attempts: 1, agentId: null, epoch: 1 });
  });
});
