import { describe, expect, it } from 'vitest';
import type { CommitEffects } from './effects.ts';
import { Store } from './store.ts';
import { rejection, verbBackends, verbHarness } from './verb-test-kit.ts';

const backends = verbBackends();

/** The committed-effects stream (store/effects.ts) on both backends. */
describe.each(backends)('commit effects on $name', (backend) => {
  const h = verbHarness(backend);

  it('publishes one record per committed verb, after its commit, with its events and transitions', async () => {
    const agent = await h.register('w');
    const { tasks } = await h.submit([h.task('a'), h.task('b', { dependsOn: ['a'] })]);
    const [a, b] = tasks.map((t) => t.id) as [string, string];
    const [lease] = await h.store.assignRound('test');
    expect(h.lastEffects()).toMatchObject({
      leases: [{ agentId: agent.id, task: { id: a } }],
      placeable: false,
    });
    expect(h.lastEffects().round?.seconds).toBeGreaterThanOrEqual(0);

    let seenBeforeReturn: CommitEffects | undefined;
    const done = h.store.completeTask('test', {
      taskId: a,
      agentId: agent.id,
      epoch: lease!.task.epoch,
      result: 1,
    });
    const published = h.effects.length;
    await done.then(() => (seenBeforeReturn = h.effects[published]));
    expect(seenBeforeReturn).toBeDefined();
    const e = h.lastEffects();
    expect(e).toMatchObject({ leases: [], revoked: [], placeable: true, round: null });
    expect(e.transitions).toEqual([
      {
        entity: 'task',
        taskId: a,
        goalId: lease!.task.goalId,
        agentId: agent.id,
        from: 'leased',
        to: 'succeeded',
      },
      { entity: 'task', taskId: b, goalId: lease!.task.goalId, agentId: null, from: 'pending', to: 'ready' },
    ]);
    const logged = await h.store.read((tx) => tx.listEvents({ limit: 1000 }));
    expect(e.events).toEqual(logged.slice(-e.events.length).map(({ seq: _seq, ...rest }) => rest));
  });

  it('publishes nothing for a verb that was refused: its transaction rolled back', async () => {
    const agent = await h.register('w');
    const { tasks } = await h.submit([h.task('a')]);
    await h.store.assignRound('test');
    const before = h.effects.length;
    const refused = await rejection(
      h.store.completeTask('test', { taskId: tasks[0]!.id, agentId: agent.id, epoch: 99, result: 1 }),
    );
    expect(refused.code).toBe('KOS_ERR_STALE_EPOCH');
    expect(h.effects.length).toBe(before);
  });

  it('lists the leases a verb ended with their holder and epoch, and not those the holder gave back', async () => {
    const [w1, w2] = [await h.register('w1', { maxParallel: 1 }), await h.register('w2', { maxParallel: 1 })];
    const { tasks } = await h.submit([h.task('x'), h.task('y')]); // fail_fast by default
    const leases = await h.store.assignRound('test');
    const held = new Map(leases.map((l) => [l.agentId, l.task]));
    const [x, y] = [held.get(w1.id)!, held.get(w2.id)!];
    expect(new Set([x.id, y.id])).toEqual(new Set(tasks.map((t) => t.id)));

    // w1's task fails for good: the goal fails fast and cancels w2's task.
    const { task: dead } = await h.fail(x.id, { retryable: false });
    expect(dead.state).toBe('dead');
    const { revoked } = h.lastEffects();
    expect(revoked).toEqual([
      {
        task: expect.objectContaining({ id: y.id, state: 'cancelling' }) as unknown,
        agentId: w2.id,
        epoch: y.epoch,
        ackBy: h.clock.now + h.config.cancellation.graceMs,
      },
    ]);

    // w2 acknowledges: its own report, so nobody is told.
    await h.store.returnTask('test', { taskId: y.id, agentId: w2.id, epoch: y.epoch });
    expect(h.lastEffects().revoked).toEqual([]);
    expect((await h.get(y.id)).state).toBe('cancelled');
  });

  it('names the holder of a lease an unregistering agent leaves, and the task as it is after', async () => {
    const agent = await h.register('w');
    const { tasks } = await h.submit([h.task('a')]);
    const [lease] = await h.store.assignRound('test');
    const { revoked } = await h.store.unregisterAgent('test', { agentId: agent.id });
    expect(revoked.map((t) => t.id)).toEqual([tasks[0]!.id]);
    expect(h.lastEffects().revoked).toEqual([
      {
        task: expect.objectContaining({ id: tasks[0]!.id, state: 'ready', agentId: null }) as unknown,
        agentId: agent.id,
        epoch: lease!.task.epoch,
        ackBy: null,
      },
    ]);
    expect(h.lastEffects().events.find((e) => e.kind === 'task.lease_revoked')?.data).toMatchObject({
      reason: 'agent_unregistered',
    });
  });

  it('publishes the round of the batch hook after the records of its batch, with its leases', async () => {
    await h.register('w');
    h.store.afterPlaceable({ round: () => true, failed: (err) => expect.fail(String(err)) });
    try {
      const { tasks } = await h.submit([h.task('a')]);
      const [submitted, round] = h.effects.slice(-2) as [CommitEffects, CommitEffects];
      expect(submitted).toMatchObject({ leases: [], placeable: true, round: null });
      expect(round.leases.map((l) => l.task.id)).toEqual([tasks[0]!.id]);
      expect(round.round).not.toBeNull();
      expect(round.transitions).toMatchObject([{ entity: 'task', from: 'ready', to: 'leased' }]);
    } finally {
      h.store.afterPlaceable(null);
    }
  });

  it('publishes the events of record() and audit()', async () => {
    h.configure((c) => ({ ...c, security: { ...c.security, auditAllActions: true } }));
    const event = {
      at: 1,
      kind: 'security.alert' as const,
      actor: 'klp',
      goalId: null,
      taskId: null,
      agentId: null,
      data: { code: 'KOS_ERR_REPLAY' },
    };
    await h.store.record([event]);
    expect(h.lastEffects().events).toEqual([event]);
    await h.store.audit('token:admin', 'token.issue', { role: 'agent' });
    expect(h.lastEffects().events).toMatchObject([
      { kind: 'audit', actor: 'token:admin', data: { action: 'token.issue', role: 'agent' } },
    ]);
  });

  it('keeps a listener that throws from the verb’s caller, reports it, and still tells the others', async () => {
    const errors: unknown[] = [];
    const store = new Store(h.store.backend, h.config, { onListenerError: (err) => errors.push(err) });
    const told: number[] = [];
    const bug = new Error('listener bug');
    store.effects.subscribe(() => {
      throw bug;
    });
    const stop = store.effects.subscribe(() => told.push(1));
    await store.registerAgent('test', { name: 'w', skills: ['s'] });
    expect(told).toEqual([1]);
    expect(errors).toEqual([bug]);
    stop();
    await store.registerAgent('test', { name: 'w', skills: ['s'] });
    expect(told).toEqual([1]);
  });
});
