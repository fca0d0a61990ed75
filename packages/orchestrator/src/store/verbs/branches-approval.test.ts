import { isKosError } from '@kos/protocol';
import { describe, expect, it } from 'vitest';
import { verbBackends, verbHarness } from '../verb-test-kit.ts';

const backends = verbBackends();
const once = { retry: { maxAttempts: 1 } };

/** on_failure branches, the goal's fail_fast | continue policy, and approval, on each backend. */
describe.each(backends)('branches and goal policies on $name', (backend) => {
  const h = verbHarness(backend);

  it('skips an on_failure branch when its dependency succeeds; the goal still succeeds', async () => {
    await h.register('w');
    const { goal, tasks } = await h.submit([
      h.task('build'),
      h.task('notify', { dependsOn: ['build'], policy: { runWhen: 'failed' } }),
    ]);
    await h.store.assignRound('test');
    await h.complete(tasks[0]!.id);
    expect(await h.get(tasks[1]!.id)).toMatchObject({
      state: 'cancelled',
      error: { code: 'skipped.branch_not_taken' },
    });
    expect(await h.goal(goal.id)).toMatchObject({ state: 'succeeded', succeededCount: 1, skippedCount: 1 });
  });

  it('fail_fast: runs the dead task’s on_failure branch, skips the rest, and fails the goal after the branch', async () => {
    await h.register('w', { maxParallel: 10 });
    const { goal, tasks } = await h.submit([
      h.task('build', { policy: once }),
      h.task('notify', { dependsOn: ['build'], policy: { runWhen: 'failed' } }),
      h.task('deploy', { dependsOn: ['build'] }),
      h.task('docs'),
    ]);
    const [build, notify, deploy, docs] = tasks.map((t) => t.id) as [string, string, string, string];
    await h.store.assignRound('test'); // build and docs are leased
    const { task } = await h.fail(build);
    expect(task.state).toBe('dead');
    // docs was leased: it is told to stop (cancelling until its holder acknowledges).
    expect(h.lastEffects().revoked.map((r) => [r.task.id, r.task.state])).toEqual([[docs, 'cancelling']]);
    expect(await h.get(notify)).toMatchObject({ state: 'ready' });
    expect(await h.get(deploy)).toMatchObject({ state: 'cancelled', error: { code: 'skipped.dependency' } });
    expect(await h.get(docs)).toMatchObject({ error: { code: 'skipped.goal_failed' } });
    expect(await h.goal(goal.id)).toMatchObject({ state: 'running', deadCount: 1, skippedCount: 2 });

    await h.store.assignRound('test');
    await h.complete(notify);
    expect(await h.goal(goal.id)).toMatchObject({
      state: 'failed',
      succeededCount: 1,
      deadCount: 1,
      skippedCount: 2,
    });
  });

  it('continue: skips only the dead task’s dependents; other branches finish, then the goal fails', async () => {
    await h.register('w', { maxParallel: 10 });
    const { goal, tasks } = await h.submit(
      [
        h.task('a', { policy: once }),
        h.task('a2', { dependsOn: ['a'] }),
        h.task('a3', { dependsOn: ['a2'] }),
        h.task('b'),
        h.task('b2', { dependsOn: ['b'] }),
      ],
      { onTaskDeath: 'continue' },
    );
    const [a, a2, a3, b, b2] = tasks.map((t) => t.id) as [string, string, string, string, string];
    await h.store.assignRound('test');
    await h.fail(a);
    expect(h.lastEffects().revoked).toEqual([]);
    for (const id of [a2, a3]) expect((await h.get(id)).error?.code).toBe('skipped.dependency');
    expect(await h.get(b)).toMatchObject({ state: 'leased' });
    expect(await h.goal(goal.id)).toMatchObject({ state: 'running', deadCount: 1, skippedCount: 2 });

    await h.complete(b);
    await h.store.assignRound('test');
    await h.complete(b2);
    expect(await h.goal(goal.id)).toMatchObject({ state: 'failed', succeededCount: 2 });
  });

  it('continue: a goal where nothing dies succeeds as before', async () => {
    await h.register('w');
    const { goal, tasks } = await h.submit([h.task('only')], { onTaskDeath: 'continue' });
    await h.store.assignRound('test');
    await h.complete(tasks[0]!.id);
    expect((await h.goal(goal.id)).state).toBe('succeeded');
  });
});

describe.each(backends)('approval on $name', (backend) => {
  const h = verbHarness(backend);
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: unknown) => (isKosError(e) ? e.code : e),
    );

  it('holds a before_run task in awaiting_approval once its dependencies succeed, until approved', async () => {
    await h.register('w');
    const gate = { approval: { beforeRun: true } };
    const { tasks } = await h.submit([
      h.task('root'),
      h.task('gated', { dependsOn: ['root'], policy: gate }),
    ]);
    const [root, gated] = tasks.map((t) => t.id) as [string, string];
    await h.store.assignRound('test');
    await h.complete(root);
    expect(await h.get(gated)).toMatchObject({ state: 'awaiting_approval' });
    expect(await h.store.assignRound('test')).toEqual([]);

    const approved = await h.store.approveTask('token:boss', gated, 'looks safe');
    expect(approved).toMatchObject({ state: 'ready', maxAttempts: 3 });
    const [lease] = await h.store.assignRound('test');
    expect(lease!.task.id).toBe(gated);
    const history = await h.store.read((tx) => tx.listEvents({ taskId: gated, limit: 100 }));
    expect(history.find((e) => e.data['decision'] === 'approved')).toMatchObject({
      actor: 'token:boss',
      data: { from: 'awaiting_approval', to: 'ready', reason: 'looks safe' },
    });
  });

  it('routes a task that would die to awaiting_approval: approve grants one more attempt, deny kills it', async () => {
    await h.register('w');
    const { goal, tasks } = await h.submit([
      h.task('risky', { policy: { ...once, approval: { onFailure: true } } }),
      h.task('after', { dependsOn: ['risky'] }),
    ]);
    const risky = tasks[0]!.id;
    await h.store.assignRound('test');
    const held = await h.fail(risky, { retryable: false, message: 'card declined' });
    expect(held.task).toMatchObject({
      state: 'awaiting_approval',
      agentId: null,
      error: { message: 'card declined' },
    });
    expect(await h.goal(goal.id)).toMatchObject({ state: 'running', deadCount: 0 });

    expect(await h.store.approveTask('token:boss', risky, 'retry once')).toMatchObject({
      state: 'ready',
      attempts: 1,
      maxAttempts: 2,
    });
    await h.store.assignRound('test');
    expect((await h.fail(risky)).task.state).toBe('awaiting_approval');

    const denied = await h.store.denyTask('token:boss', risky, 'too risky');
    expect(denied.task).toMatchObject({ state: 'dead', error: { code: 'denied', message: 'too risky' } });
    expect(await h.goal(goal.id)).toMatchObject({ state: 'failed', deadCount: 1, skippedCount: 1 });
  });

  it('refuses to approve or deny a task that is not awaiting approval, changing nothing', async () => {
    const { goal, tasks } = await h.submit([h.task('plain')]);
    const snapshot = async () => ({
      goal: await h.goal(goal.id),
      task: await h.get(tasks[0]!.id),
      events: await h.store.read((tx) => tx.listEvents({ goalId: goal.id, limit: 100 })),
    });
    const before = await snapshot();
    expect(await codeOf(h.store.approveTask('t', tasks[0]!.id, 'r'))).toBe(
      'KOS_ERR_TASK_NOT_AWAITING_APPROVAL',
    );
    expect(await codeOf(h.store.denyTask('t', tasks[0]!.id, 'r'))).toBe('KOS_ERR_TASK_NOT_AWAITING_APPROVAL');
    expect(await codeOf(h.store.denyTask('t', 'no-such-task', 'r'))).toBe('KOS_ERR_TASK_NOT_FOUND');
    expect(await snapshot()).toEqual(before);
  });
});
