import { isKosError } from '@kos/protocol';
import { describe, expect, it } from 'vitest';
import { leaseSkills } from '../../scheduler/fallback.ts';
import { seeded } from '../../scheduler/seeded-random.ts';
import { verbBackends, verbHarness } from '../verb-test-kit.ts';

const backends = verbBackends();

/** Retry policy, timeouts, fallback skills and checkpoints, on each backend. */
describe.each(backends)('retries and timeouts on $name', (backend) => {
  const h = verbHarness(backend);
  const fixed = (ms: number, maxAttempts: number) => ({
    retry: { maxAttempts, delayStrategy: 'fixed' as const, baseDelayMs: ms, maxDelayMs: ms, jitter: false },
  });

  it('retries by the task’s own policy, not the configuration’s', async () => {
    expect(h.config.retry.maxAttempts).toBe(3);
    await h.register('w');
    const { tasks } = await h.submit([h.task('t', { policy: fixed(7_000, 2) })]);
    const id = tasks[0]!.id;
    expect(tasks[0]!.maxAttempts).toBe(2);
    await h.store.assignRound('test');
    const first = await h.fail(id);
    expect(first.task).toMatchObject({ state: 'retrying', availableAt: h.clock.now + 7_000 });
    await h.sweepAt(h.clock.now + 7_000);
    await h.store.assignRound('test');
    const second = await h.fail(id);
    expect(second.task).toMatchObject({ state: 'dead', attempts: 2, error: { code: 'boom' } });
    const goal = await h.goal(second.task.goalId);
    expect(goal).toMatchObject({ state: 'failed', deadCount: 1 });
  });

  it('times out a ready task not leased within schedule_to_start_ms, counting the attempt', async () => {
    const start = h.clock.now;
    const { tasks, goal } = await h.submit([
      h.task('t', { policy: { ...fixed(10, 2), timeouts: { scheduleToStartMs: 1_000 } } }),
    ]);
    const id = tasks[0]!.id;
    expect(tasks[0]!.deadlineAt).toBe(start + 1_000);
    expect((await h.sweepAt(start + 1_000)).timedOut).toEqual([]); // due only after the deadline
    expect(await h.get(id)).toMatchObject({ state: 'ready' });

    await h.sweepAt(start + 1_001);
    const waited = await h.get(id);
    expect(waited).toMatchObject({
      state: 'retrying',
      attempts: 1,
      deadlineAt: null,
      error: { code: 'timeout.schedule_to_start', retryable: true },
    });
    await h.sweepAt(start + 1_011);
    expect(await h.get(id)).toMatchObject({ state: 'ready', deadlineAt: start + 2_011 });
    await h.sweepAt(start + 2_012);
    expect(await h.get(id)).toMatchObject({ state: 'dead', attempts: 2 });
    expect((await h.goal(goal.id)).state).toBe('failed');
  });

  it('ends a lease past start_to_close_ms although heartbeats and progress renewed it, and revokes it', async () => {
    const agent = await h.register('w');
    const { tasks } = await h.submit([
      h.task('t', {
        policy: { ...fixed(10, 3), timeouts: { startToCloseMs: 5_000, scheduleToStartMs: 60_000 } },
      }),
    ]);
    const id = tasks[0]!.id;
    const [lease] = await h.store.assignRound('test');
    const leasedAt = h.clock.now;
    expect(lease!.task.deadlineAt).toBe(leasedAt + 5_000);

    h.clock.now = leasedAt + 3_000;
    const running = await h.store.reportProgress('test', {
      taskId: id,
      agentId: agent.id,
      epoch: 1,
      progress: 40,
    });
    await h.store.heartbeat('test', { agentId: agent.id });
    expect(running.deadlineAt).toBe(leasedAt + 5_000);
    expect(running.leaseExpiresAt).toBe(leasedAt + 3_000 + h.config.leases.ttlMs);

    const swept = await h.sweepAt(leasedAt + 5_001);
    expect(swept.timedOut.map((r) => [r.task.id, r.agentId, r.epoch])).toEqual([[id, agent.id, 1]]);
    expect(await h.get(id)).toMatchObject({
      state: 'retrying',
      agentId: null,
      lastAgentId: agent.id,
      error: { code: 'timeout.start_to_close' },
    });
    const late = await h.store
      .completeTask('test', { taskId: id, agentId: agent.id, epoch: 1, result: 'late' })
      .catch((e: unknown) => e);
    expect(isKosError(late) && late.code).toBe('KOS_ERR_TASK_NOT_ACTIVE');
  });

  it('acts on current rows when timeouts of one sweep end the same fail_fast goal', async () => {
    await h.register('w', { maxParallel: 2 });
    const policy = { ...fixed(10, 1), timeouts: { startToCloseMs: 1_000 } };
    const { goal } = await h.submit([h.task('a', { policy }), h.task('b', { policy })]);
    await h.store.assignRound('test');
    const swept = await h.sweepAt(h.clock.now + 1_001);
    const tasks = await h.store.read((tx) => tx.listTasks({ goalId: goal.id }, { limit: 10 }));
    const states = tasks.map((t) => `${t.state}:${t.error?.code}`).sort();
    expect(states).toEqual(['cancelling:skipped.goal_failed', 'dead:timeout.start_to_close']);
    expect(await h.goal(goal.id)).toMatchObject({ state: 'failed', deadCount: 1, skippedCount: 1 });
    expect(swept.timedOut.map((r) => r.task.id).sort()).toEqual(tasks.map((t) => t.id).sort());
  });

  it('renews leases by the task’s heartbeat timeout and revokes them when it passes', async () => {
    const agent = await h.register('w');
    const { tasks } = await h.submit([h.task('t', { policy: { timeouts: { heartbeatMs: 2_000 } } })]);
    const [lease] = await h.store.assignRound('test');
    expect(lease!.task.leaseExpiresAt).toBe(h.clock.now + 2_000);
    h.clock.now += 1_500;
    const { leases } = await h.store.heartbeat('test', { agentId: agent.id });
    expect(leases[0]!.leaseExpiresAt).toBe(h.clock.now + 2_000);
    const swept = await h.sweepAt(h.clock.now + 2_001);
    expect(swept.expired.map((r) => r.task.id)).toEqual([tasks[0]!.id]);
    expect(await h.get(tasks[0]!.id)).toMatchObject({ state: 'ready', attempts: 1 });
  });

  it('matches a task on its fallback skills while no active agent has its own', async () => {
    const agent = await h.register('standby', { skills: ['manual'] });
    const fallback = { skills: ['manual'], afterAttempts: 3 };
    const { tasks } = await h.submit([h.task('t', { skills: ['auto'], policy: { fallback } })]);
    const [lease] = await h.store.assignRound('test');
    expect(lease).toMatchObject({ agentId: agent.id, task: { id: tasks[0]!.id } });
    expect(leaseSkills(lease!.task, agent.skills)).toEqual(['manual']);
  });

  it('switches to the fallback skills after after_attempts failed attempts', async () => {
    const primary = await h.register('primary', { skills: ['auto'] });
    const standby = await h.register('standby', { skills: ['manual'] });
    const policy = { ...fixed(0, 3), fallback: { skills: ['manual'], afterAttempts: 1 } };
    const { tasks } = await h.submit([h.task('t', { skills: ['auto'], policy })]);
    const [first] = await h.store.assignRound('test');
    expect(first!.agentId).toBe(primary.id);
    expect(leaseSkills(first!.task, primary.skills)).toEqual(['auto']);
    await h.fail(tasks[0]!.id);
    await h.sweepAt(h.clock.now);
    const [second] = await h.store.assignRound('test');
    expect(second!.agentId).toBe(standby.id);
    expect(leaseSkills(second!.task, standby.skills)).toEqual(['manual']);
  });

  it('hands the checkpoint of a failed attempt to the next one, across a restart', async () => {
    const agent = await h.register('w');
    const { tasks } = await h.submit([h.task('t', { policy: fixed(100, 3) })]);
    const id = tasks[0]!.id;
    await h.store.assignRound('test');
    await h.store.reportProgress('test', {
      taskId: id,
      agentId: agent.id,
      epoch: 1,
      progress: 60,
      checkpoint: { rows: 600 },
    });
    await h.fail(id);
    await h.restart();
    await h.store.recoverAfterRestart();
    await h.sweepAt(h.clock.now + 100);
    const [lease] = await h.store.assignRound('test');
    expect(lease!.task).toMatchObject({ id, attempts: 2, epoch: 2, checkpoint: { rows: 600 } });
  });
});

describe.each(backends)('jittered retries on $name', (backend) => {
  const h = verbHarness(backend, { random: seeded(42) });

  it('spreads the retries of tasks that failed together, within the cap of their own policy', async () => {
    // One failure per agent: no agent's failures add up to a breaker or a quarantine.
    for (let i = 0; i < 20; i++) await h.register(`w${i}`, { maxParallel: 1 });
    const policy = { retry: { baseDelayMs: 10_000, maxDelayMs: 10_000, jitter: true } };
    const { tasks } = await h.submit(Array.from({ length: 20 }, (_, i) => h.task(`t${i}`, { policy })));
    const delays: number[] = [];
    // However many a round leases (bulkheads may cap a goal), all fail at the same moment.
    while (delays.length < tasks.length) {
      const leases = await h.store.assignRound('test');
      expect(leases.length).toBeGreaterThan(0);
      for (const l of leases) {
        const { task } = await h.fail(l.task.id);
        expect(task.state).toBe('retrying');
        delays.push(task.availableAt - h.clock.now);
      }
    }
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(0);
    for (const d of delays) expect(d).toBeLessThanOrEqual(10_000);
    expect(new Set(delays).size).toBeGreaterThan(15);
  });
});

describe.each(backends)('dead letters on $name', (backend) => {
  const h = verbHarness(backend);

  it('retries a dead task with more attempts, reopening its failed goal and every task its death skipped', async () => {
    await h.register('w', { maxParallel: 10 });
    const once = { retry: { maxAttempts: 1 } };
    const { goal, tasks } = await h.submit([
      h.task('root', { policy: once }),
      h.task('mid', { dependsOn: ['root'] }),
      h.task('leaf', { dependsOn: ['mid'] }),
      h.task('side', { skills: ['other'] }), // no agent has it yet: it waits in ready
    ]);
    const [root, mid, leaf, side] = tasks.map((t) => t.id) as [string, string, string, string];
    await h.store.assignRound('test');
    await h.fail(root);
    // fail_fast: the goal ends, skipping its dependents and the unrelated side task.
    expect(await h.goal(goal.id)).toMatchObject({ state: 'failed', deadCount: 1, skippedCount: 3 });
    expect((await h.get(mid)).error?.code).toBe('skipped.dependency');
    expect((await h.get(side)).error?.code).toBe('skipped.goal_failed');

    const retried = await h.store.retryTask('token:ops', root, 'fixed the input');
    expect(retried).toMatchObject({ state: 'ready', attempts: 1, maxAttempts: 2, agentId: null });
    expect(await h.goal(goal.id)).toMatchObject({ state: 'running', deadCount: 0, skippedCount: 0 });
    expect(await h.get(mid)).toMatchObject({ state: 'pending', pendingDeps: 1, error: null });
    expect(await h.get(leaf)).toMatchObject({ state: 'pending', pendingDeps: 1 });
    expect(await h.get(side)).toMatchObject({ state: 'ready', pendingDeps: 0 });
    const audit = await h.store.read((tx) => tx.listEvents({ taskId: root, limit: 100 }));
    expect(audit.at(-1)).toMatchObject({
      actor: 'token:ops',
      data: { to: 'ready', reason: 'fixed the input' },
    });

    await h.register('o', { skills: ['other'] });
    for (const id of [root, side, mid, leaf]) {
      await h.store.assignRound('test');
      await h.complete(id);
    }
    expect(await h.goal(goal.id)).toMatchObject({
      state: 'succeeded',
      succeededCount: 4,
      finishedAt: h.clock.now,
    });
  });

  it('refuses to retry a task that is not dead, or of a goal a user cancelled, changing nothing', async () => {
    await h.register('w', { maxParallel: 10 });
    const { goal, tasks } = await h.submit(
      [h.task('dies', { policy: { retry: { maxAttempts: 1 } } }), h.task('runs')],
      { onTaskDeath: 'continue' },
    );
    const [dies, runs] = tasks.map((t) => t.id) as [string, string];
    await h.store.assignRound('test');
    await h.fail(dies);
    const snapshot = async () => ({
      goal: await h.goal(goal.id),
      tasks: await h.store.read((tx) => tx.listTasks({ goalId: goal.id }, { limit: 10 })),
    });
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: unknown) => (isKosError(e) ? e.code : e),
      );

    const before = await snapshot();
    expect(await codeOf(h.store.retryTask('t', runs, 'r'))).toBe('KOS_ERR_TASK_NOT_DEAD');
    expect(await codeOf(h.store.retryTask('t', 'no-such-task', 'r'))).toBe('KOS_ERR_TASK_NOT_FOUND');
    expect(await snapshot()).toEqual(before);

    await h.store.cancelGoal('t', goal.id, 'not needed');
    const cancelled = await snapshot();
    expect(await codeOf(h.store.retryTask('t', dies, 'r'))).toBe('KOS_ERR_GOAL_CANCELLED');
    expect(await snapshot()).toEqual(cancelled);
  });
});
