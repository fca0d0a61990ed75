import { describe, expect, it } from 'vitest';
import { rejection, verbBackends, verbHarness } from '../verb-test-kit.ts';

const backends = verbBackends();

/** Cancellation with a grace deadline, of a task or a goal, on each backend. */
describe.each(backends)('cancellation on $name', (backend) => {
  const h = verbHarness(backend);

  async function leasedTask(extra: Parameters<typeof h.task>[1] = {}) {
    const agent = await h.register('w', { maxParallel: 1 });
    const { goal, tasks } = await h.submit([h.task('t', extra)]);
    await h.store.assignRound('test');
    const task = await h.get(tasks[0]!.id);
    expect(task).toMatchObject({ state: 'leased', agentId: agent.id });
    return { goal, task, agent };
  }

  it('moves a leased task to cancelling: its agent keeps the lease until the grace deadline', async () => {
    const { task, agent } = await leasedTask();
    const { task: cancelling } = await h.store.cancelTask('user', task.id, 'not needed');
    expect(cancelling).toMatchObject({
      state: 'cancelling',
      agentId: agent.id,
      epoch: task.epoch,
      leaseExpiresAt: h.clock.now + h.config.cancellation.graceMs,
      error: { code: 'cancelled', message: 'not needed', retryable: false },
    });
    // Its holder is told to stop, with the deadline.
    expect(h.lastEffects().revoked).toMatchObject([
      { task: { id: task.id, state: 'cancelling' }, agentId: agent.id, ackBy: cancelling.leaseExpiresAt },
    ]);
    const history = await h.store.read((tx) => tx.listEvents({ taskId: task.id, limit: 100 }));
    expect(history.at(-1)).toMatchObject({
      kind: 'task.state',
      actor: 'user',
      data: { from: 'leased', to: 'cancelling', reason: 'not needed' },
    });
  });

  it('ends cancelled with no penalty when the holder acknowledges (gives the task back)', async () => {
    const { task, agent } = await leasedTask();
    await h.store.cancelTask('user', task.id, 'not needed');
    h.clock.now += 1_000;
    const trust = await h.trustOf(agent.id);
    await h.store.returnTask(`agent:${agent.id}`, { taskId: task.id, agentId: agent.id, epoch: task.epoch });
    expect(await h.get(task.id)).toMatchObject({ state: 'cancelled', leaseExpiresAt: null });
    expect(await h.trustOf(agent.id)).toBe(trust);
    const agentRow = await h.store.read((tx) => tx.getAgent(agent.id));
    expect(agentRow!.stats['s']).toBeUndefined(); // no failure recorded either
    const revocations = await h.store.read((tx) =>
      tx.listEvents({ taskId: task.id, kinds: ['task.lease_revoked'], limit: 10 }),
    );
    expect(revocations).toEqual([]);
  });

  it('counts an acknowledgement after the grace deadline as none: the holder’s trust is lowered', async () => {
    const { task, agent } = await leasedTask();
    const { task: cancelling } = await h.store.cancelTask('user', task.id, 'stop');
    h.clock.now = cancelling.leaseExpiresAt! + 1; // past the deadline, before any sweep
    const trust = await h.trustOf(agent.id);
    await h.store.returnTask('agent', { taskId: task.id, agentId: agent.id, epoch: task.epoch });
    expect(await h.get(task.id)).toMatchObject({ state: 'cancelled' });
    expect(await h.trustOf(agent.id)).toBeLessThan(trust);
  });

  it('refuses a result, a failure, progress or a hand-off of a task being cancelled, changing nothing', async () => {
    const { task, agent } = await leasedTask();
    await h.store.cancelTask('user', task.id, 'stop');
    const before = await h.get(task.id);
    const report = { taskId: task.id, agentId: agent.id, epoch: task.epoch };
    const attempts: Promise<unknown>[] = [
      h.store.completeTask('agent', { ...report, result: 'done' }),
      h.store.failTask('agent', { ...report, error: { code: 'x', message: 'x', retryable: true } }),
      h.store.reportProgress('agent', { ...report, progress: 50 }),
      h.store.handOff('agent', { ...report, action: 'declined', reason: 'busy' }),
    ];
    for (const attempt of attempts) {
      expect(await rejection(attempt)).toMatchObject({ code: 'KOS_ERR_TASK_CANCELLED' });
    }
    expect(await h.get(task.id)).toEqual(before);
  });

  it('does not let heartbeats extend the grace deadline', async () => {
    const { task, agent } = await leasedTask();
    const { task: cancelling } = await h.store.cancelTask('user', task.id, 'stop');
    h.clock.now += 1_000;
    const { leases } = await h.store.heartbeat('agent', { agentId: agent.id }, [
      { taskId: task.id, epoch: task.epoch },
    ]);
    expect(leases).toEqual([]);
    expect((await h.get(task.id)).leaseExpiresAt).toBe(cancelling.leaseExpiresAt);
  });

  it('revokes the lease past the grace deadline: cancelled, the holder’s trust lowered, its late result refused', async () => {
    const { task, agent } = await leasedTask();
    const { task: cancelling } = await h.store.cancelTask('user', task.id, 'stop');
    const deadline = cancelling.leaseExpiresAt!;

    const early = await h.sweepAt(deadline);
    expect(early.expired).toEqual([]);
    expect((await h.get(task.id)).state).toBe('cancelling');

    h.clock.now = deadline + 1;
    const trust = await h.trustOf(agent.id);
    const swept = await h.sweepAt(deadline + 1);
    expect(swept.expired.map((r) => [r.task.id, r.task.state, r.agentId])).toEqual([
      [task.id, 'cancelled', agent.id],
    ]);
    expect(await h.get(task.id)).toMatchObject({ state: 'cancelled', leaseExpiresAt: null });
    expect(await h.trustOf(agent.id)).toBeLessThan(trust);
    const [revocation] = await h.store.read((tx) =>
      tx.listEvents({ taskId: task.id, kinds: ['task.lease_revoked'], limit: 10 }),
    );
    expect(revocation?.data).toMatchObject({ reason: 'lease_expired', cancelling: true });

    const late = h.store.completeTask('agent', {
      taskId: task.id,
      agentId: agent.id,
      epoch: task.epoch,
      result: 'late',
    });
    expect(await rejection(late)).toMatchObject({ code: 'KOS_ERR_TASK_NOT_ACTIVE' });
    expect((await h.get(task.id)).result).toBeNull();
  });

  it('gives a task being cancelled a fresh grace period, not a lease, when the orchestrator restarts', async () => {
    const { task } = await leasedTask();
    await h.store.cancelTask('user', task.id, 'stop');
    h.clock.now += 4_000;
    await h.restart();
    await h.store.recoverAfterRestart();
    expect((await h.get(task.id)).leaseExpiresAt).toBe(h.clock.now + h.config.cancellation.graceMs);
  });

  it('keeps the agent’s slot while a task is being cancelled, and frees it on the acknowledgement', async () => {
    const { task, agent } = await leasedTask();
    const { tasks } = await h.submit([h.task('next')]);
    await h.store.cancelTask('user', task.id, 'stop');
    expect(await h.store.assignRound('test')).toEqual([]);
    await h.store.returnTask('agent', { taskId: task.id, agentId: agent.id, epoch: task.epoch });
    const leases = await h.store.assignRound('test');
    expect(leases.map((l) => l.task.id)).toEqual([tasks[0]!.id]);
  });

  it('cancels a task that is not leased at once, skips its dependents transitively, and lets the goal finish', async () => {
    await h.register('w', { maxParallel: 10 });
    const { goal, tasks } = await h.submit([
      h.task('a', { skills: ['nobody'] }),
      h.task('b', { dependsOn: ['a'] }),
      h.task('c', { dependsOn: ['b'] }),
      h.task('d'),
    ]);
    const [a, b, c, d] = tasks.map((t) => t.id) as [string, string, string, string];
    const { task } = await h.store.cancelTask('user', a, 'wrong input');
    expect(task).toMatchObject({ state: 'cancelled', agentId: null });
    expect(h.lastEffects().revoked).toEqual([]);
    for (const id of [b, c]) {
      expect(await h.get(id)).toMatchObject({ state: 'cancelled', error: { code: 'skipped.dependency' } });
    }
    expect(await h.goal(goal.id)).toMatchObject({ state: 'running', skippedCount: 3 });

    await h.store.assignRound('test');
    await h.complete(d);
    expect(await h.goal(goal.id)).toMatchObject({
      state: 'succeeded',
      succeededCount: 1,
      skippedCount: 3,
      deadCount: 0,
    });
  });

  it('ends a goal cancelled when every one of its tasks was cancelled (nothing was done)', async () => {
    const { goal, tasks } = await h.submit([
      h.task('a', { skills: ['nobody'] }),
      h.task('b', { dependsOn: ['a'] }),
    ]);
    await h.store.cancelTask('user', tasks[0]!.id, 'not needed');
    expect(await h.goal(goal.id)).toMatchObject({ state: 'cancelled', succeededCount: 0, skippedCount: 2 });
  });

  it('refuses to cancel a finished, cancelling or unknown task, changing nothing', async () => {
    const { task } = await leasedTask();
    const { tasks } = await h.submit([h.task('done')]);
    await h.store.cancelTask('user', task.id, 'stop');
    await h.store.returnTask('agent', { taskId: task.id, agentId: task.agentId!, epoch: task.epoch });
    await h.store.assignRound('test');
    await h.complete(tasks[0]!.id);

    const cancelled = await h.get(task.id);
    expect(await rejection(h.store.cancelTask('user', task.id, 'again'))).toMatchObject({
      code: 'KOS_ERR_TASK_FINISHED',
    });
    expect(await h.get(task.id)).toEqual(cancelled);
    expect(await rejection(h.store.cancelTask('user', tasks[0]!.id, 'late'))).toMatchObject({
      code: 'KOS_ERR_TASK_FINISHED',
    });
    expect(await rejection(h.store.cancelTask('user', 'no-such-task', 'x'))).toMatchObject({
      code: 'KOS_ERR_TASK_NOT_FOUND',
    });

    const { task: other } = await leasedTask2();
    await h.store.cancelTask('user', other.id, 'stop');
    const cancelling = await h.get(other.id);
    expect(await rejection(h.store.cancelTask('user', other.id, 'again'))).toMatchObject({
      code: 'KOS_ERR_TASK_FINISHED',
    });
    expect(await h.get(other.id)).toEqual(cancelling);
  });

  async function leasedTask2() {
    const agent = await h.register('w2', { skills: ['s2'] });
    const { tasks } = await h.submit([h.task('t2', { skills: ['s2'] })]);
    await h.store.assignRound('test');
    const task = await h.get(tasks[0]!.id);
    expect(task).toMatchObject({ state: 'leased', agentId: agent.id });
    return { task };
  }

  it('cancels a goal: a leased task is told to stop with a deadline, the others are cancelled at once', async () => {
    const agent = await h.register('w', { maxParallel: 1 });
    const { goal, tasks } = await h.submit([
      h.task('running'),
      h.task('waiting', { dependsOn: ['running'] }),
    ]);
    const [running, waiting] = tasks.map((t) => t.id) as [string, string];
    await h.store.assignRound('test');
    const ended = await h.store.cancelGoal('user', goal.id, 'changed my mind');
    expect(ended.goal.state).toBe('cancelled');
    expect(h.lastEffects().revoked.map((r) => [r.task.id, r.task.state, r.agentId])).toEqual([
      [running, 'cancelling', agent.id],
    ]);
    expect(await h.get(waiting)).toMatchObject({ state: 'cancelled' });
    expect(await h.get(running)).toMatchObject({
      state: 'cancelling',
      leaseExpiresAt: h.clock.now + h.config.cancellation.graceMs,
    });
    const epoch = (await h.get(running)).epoch;
    await h.store.returnTask('agent', { taskId: running, agentId: agent.id, epoch });
    expect(await h.get(running)).toMatchObject({ state: 'cancelled' });
  });

  it('a goal cancelled while one of its tasks is being cancelled keeps that task’s deadline', async () => {
    await h.register('w', { maxParallel: 1 });
    const { goal, tasks } = await h.submit([h.task('first'), h.task('second')]);
    const [lease] = await h.store.assignRound('test');
    const leased = lease!.task.id;
    const other = tasks.find((t) => t.id !== leased)!.id;
    const { task: cancelling } = await h.store.cancelTask('user', leased, 'first');
    h.clock.now += 2_000;
    await h.store.cancelGoal('user', goal.id, 'then all');
    expect(h.lastEffects().revoked).toEqual([]);
    expect(await h.get(leased)).toMatchObject({
      state: 'cancelling',
      leaseExpiresAt: cancelling.leaseExpiresAt,
    });
    expect(await h.get(other)).toMatchObject({ state: 'cancelled' });
  });
});
