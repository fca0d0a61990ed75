import { beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../store/backend.ts';
import { verbBackends, verbHarness } from '../store/verb-test-kit.ts';
import type { ViolationKind } from './invariants.ts';
import { Reconciler, type ReconcilerReport } from './reconciler.ts';

/** Each violation is made in a real store (by verbs, then one row written wrong behind their back) and must be reported. */
describe.each(verbBackends())('reconciler on $name', (backend) => {
  const h = verbHarness(backend, {
    config: (c) => ({ ...c, reconciler: { intervalMs: 0, graceMs: 1_000 } }),
  });
  let reconciler: Reconciler;
  beforeEach(() => {
    reconciler = new Reconciler(h.store, h.config);
  });

  /** Writes a row as no verb would: the inconsistency the reconciler is there to see. */
  const corrupt = (fn: Parameters<Backend['transaction']>[0]) => h.store.backend.transaction(fn);
  const counts = (r: ReconcilerReport) =>
    Object.fromEntries(Object.entries(r.violations).map(([k, v]) => [k, v.count])) as Record<
      ViolationKind,
      number
    >;
  const clean = { unassigned_ready: 0, orphaned_lease: 0, stale_lease: 0, goal_counts: 0, pending_deps: 0 };

  it('reports a busy but consistent store as clean', async () => {
    await h.register('w', { maxParallel: 2 });
    await h.submit([
      h.task('a'),
      h.task('b'),
      h.task('c'),
      h.task('d', { dependsOn: ['a', 'b'] }),
      h.task('e', { dependsOn: ['d', 'c'] }),
    ]);
    const [lease] = await h.store.assignRound('test');
    await h.complete(lease!.task.id, 1);
    await h.store.assignRound('test');
    h.clock.now += 10_000;
    // Two tasks are leased, none waits for a free slot, d and e wait for their dependencies.
    const first = await reconciler.run();
    const second = await reconciler.run();
    expect(counts(first)).toEqual(clean);
    expect(counts(second)).toEqual(clean);
    expect(second.unplaced).toBe(0);
    expect(reconciler.runs).toBe(2);
  });

  it('reports a ready task a free agent could take, once a second run finds it still waiting', async () => {
    await h.register('w', { maxParallel: 2 });
    const { tasks } = await h.submit([h.task('forgotten')]);
    h.clock.now += 500;
    // Within the grace period nothing is suspicious.
    expect((await reconciler.run()).unplaced).toBe(0);
    h.clock.now += 1_000;
    const first = await reconciler.run();
    // The first sighting asks for a round (the self-heal) but reports nothing yet.
    expect(first.unplaced).toBe(1);
    expect(first.violations.unassigned_ready.count).toBe(0);
    h.clock.now += 10_000;
    const second = await reconciler.run();
    expect(second.violations.unassigned_ready).toMatchObject({
      count: 1,
      examples: [{ kind: 'unassigned_ready', subject: tasks[0]!.id }],
    });
    expect(reconciler.roundsRequested).toBe(2);
    // A round places it: clean again.
    await h.store.assignRound('test');
    expect(counts(await reconciler.run())).toEqual(clean);
  });

  it('does not report a ready task whose goal or concurrency key is at its limit', async () => {
    await h.register('w', { maxParallel: 5 });
    await h.submit([h.task('one'), h.task('two')], { onTaskDeath: 'fail_fast', maxParallel: 1, weight: 1 });
    const key = { concurrency: { key: 'db', limit: 1 } };
    await h.submit([h.task('k1', { policy: key }), h.task('k2', { policy: key })]);
    expect(await h.store.assignRound('test')).toHaveLength(2);
    h.clock.now += 10_000;
    await reconciler.run();
    const second = await reconciler.run();
    expect(second.unplaced).toBe(0);
    expect(counts(second)).toEqual(clean);
  });

  it('reports a lease held by an agent that is no longer active or draining', async () => {
    const agent = await h.register('w');
    const { tasks } = await h.submit([h.task('t')]);
    await h.store.assignRound('test');
    await corrupt(async (tx) =>
      tx.putAgent({ ...(await tx.getAgent(agent.id))!, state: 'lost', updatedAt: h.clock.now }),
    );
    const report = await reconciler.run();
    expect(report.violations.orphaned_lease).toMatchObject({
      count: 1,
      examples: [{ subject: tasks[0]!.id, detail: expect.stringContaining('which is lost') }],
    });
    expect(report.violations.stale_lease.count).toBe(0);
  });

  it('reports a lease still held more than one sweep interval after it expired', async () => {
    await h.register('w');
    const { tasks } = await h.submit([h.task('t')]);
    const [lease] = await h.store.assignRound('test');
    const expiry = lease!.task.leaseExpiresAt!;
    h.clock.now = expiry + h.config.heartbeat.sweepIntervalMs + h.config.reconciler.graceMs;
    expect((await reconciler.run()).violations.stale_lease.count).toBe(0);
    h.clock.now += 1;
    expect((await reconciler.run()).violations.stale_lease).toMatchObject({
      count: 1,
      examples: [{ subject: tasks[0]!.id }],
    });
  });

  it('reports goal counters that differ from the states of its tasks', async () => {
    await h.register('w');
    const { goal } = await h.submit([h.task('a'), h.task('b')]);
    await corrupt(async (tx) =>
      tx.putGoal({ ...(await tx.getGoal(goal.id))!, succeededCount: 1, deadCount: 1 }),
    );
    const report = await reconciler.run();
    expect(report.violations.goal_counts).toMatchObject({ count: 1, examples: [{ subject: goal.id }] });
    expect(report.violations.goal_counts.examples[0]?.detail).toBe(
      `goal ${goal.id}: succeededCount 1, tasks say 0; deadCount 1, tasks say 0`,
    );
  });

  it('reports a pending task whose pendingDeps differs from its unfinished dependencies', async () => {
    await h.register('w');
    const { tasks } = await h.submit([h.task('a'), h.task('b'), h.task('join', { dependsOn: ['a', 'b'] })]);
    await h.store.assignRound('test');
    await h.complete(tasks[0]!.id, 1);
    expect(counts(await reconciler.run())).toEqual(clean);
    // join now waits for b only; a stored count of 2 would never reach 0.
    await corrupt(async (tx) => tx.putTask({ ...(await tx.getTask(tasks[2]!.id))!, pendingDeps: 2 }));
    const report = await reconciler.run();
    expect(report.violations.pending_deps).toMatchObject({
      count: 1,
      examples: [
        {
          subject: tasks[2]!.id,
          detail: 'task join: pendingDeps 2, but 1 of its 2 dependencies are unfinished',
        },
      ],
    });
  });
});
