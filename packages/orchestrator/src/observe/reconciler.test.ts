import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { planFromTasks, type PlannedTask } from '../planner/index.ts';
import type { GoalPolicy } from '../scheduler/policy.ts';
import type { Task } from '../scheduler/task.ts';
import type { Backend } from '../store/backend.ts';
import { Store } from '../store/store.ts';
import { testBackends } from '../store/test-backends.ts';
import type { ViolationKind } from './invariants.ts';
import { Reconciler, type ReconcilerReport } from './reconciler.ts';

/** Each violation is made in a real store (by verbs, then one row written wrong behind their back) and must be reported. */
describe.each(testBackends())('reconciler on $name', ({ open }) => {
  let dir: string;
  let store: Store;
  let now: number;
  let config: Config;
  let reconciler: Reconciler;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kos-reconciler-'));
    const base = resolveConfig({ env: {}, flags: { dataDir: dir } });
    config = { ...base, reconciler: { intervalMs: 0, graceMs: 1_000 } };
    now = 1_000_000;
    store = new Store(await open(dir), config, { now: () => now }, () => 0.5);
    reconciler = new Reconciler(store, config);
  });
  afterEach(async () => {
    await store.backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const spec = (name: string, extra: Partial<PlannedTask> = {}): PlannedTask => ({
    name,
    skills: ['s'],
    priority: 'medium',
    estimatedDurationMs: 1000,
    dependsOn: [],
    input: null,
    ...extra,
  });
  const submit = (tasks: PlannedTask[], policy?: GoalPolicy) =>
    store.submitGoal('test', {
      goal: 'g',
      context: '',
      priority: 'medium',
      plan: planFromTasks(tasks, config.limits),
      policy,
    });
  const finish = async (t: Task) => {
    const row = (await store.read((tx) => tx.getTask(t.id)))!;
    return store.completeTask('test', { taskId: t.id, agentId: row.agentId!, epoch: row.epoch, result: 1 });
  };
  /** Writes a row as no verb would: the inconsistency the reconciler is there to see. */
  const corrupt = (fn: Parameters<Backend['transaction']>[0]) => store.backend.transaction(fn);
  const counts = (r: ReconcilerReport) =>
    Object.fromEntries(Object.entries(r.violations).map(([k, v]) => [k, v.count])) as Record<
      ViolationKind,
      number
    >;
  const clean = { unassigned_ready: 0, orphaned_lease: 0, stale_lease: 0, goal_counts: 0, pending_deps: 0 };

  it('reports a busy but consistent store as clean', async () => {
    await store.registerAgent('test', { name: 'w', skills: ['s'], maxParallel: 2 });
    await submit([
      spec('a'),
      spec('b'),
      spec('c'),
      spec('d', { dependsOn: ['a', 'b'] }),
      spec('e', { dependsOn: ['d', 'c'] }),
    ]);
    const [lease] = await store.assignRound('test');
    await finish(lease!.task);
    await store.assignRound('test');
    now += 10_000;
    // Two tasks are leased, none waits for a free slot, d and e wait for their dependencies.
    const first = await reconciler.run();
    const second = await reconciler.run();
    expect(counts(first)).toEqual(clean);
    expect(counts(second)).toEqual(clean);
    expect(second.unplaced).toBe(0);
    expect(reconciler.runs).toBe(2);
  });

  it('reports a ready task a free agent could take, once a second run finds it still waiting', async () => {
    await store.registerAgent('test', { name: 'w', skills: ['s'], maxParallel: 2 });
    const { tasks } = await submit([spec('forgotten')]);
    now += 500;
    // Within the grace period nothing is suspicious.
    expect((await reconciler.run()).unplaced).toBe(0);
    now += 1_000;
    const first = await reconciler.run();
    // The first sighting asks for a round (the self-heal) but reports nothing yet.
    expect(first.unplaced).toBe(1);
    expect(first.violations.unassigned_ready.count).toBe(0);
    now += 10_000;
    const second = await reconciler.run();
    expect(second.violations.unassigned_ready).toMatchObject({
      count: 1,
      examples: [{ kind: 'unassigned_ready', subject: tasks[0]!.id }],
    });
    expect(reconciler.roundsRequested).toBe(2);
    // A round places it: clean again.
    await store.assignRound('test');
    expect(counts(await reconciler.run())).toEqual(clean);
  });

  it('does not report a ready task whose goal or concurrency key is at its limit', async () => {
    await store.registerAgent('test', { name: 'w', skills: ['s'], maxParallel: 5 });
    await submit([spec('one'), spec('two')], { onTaskDeath: 'fail_fast', maxParallel: 1, weight: 1 });
    const key = { concurrency: { key: 'db', limit: 1 } };
    await submit([spec('k1', { policy: key }), spec('k2', { policy: key })]);
    expect(await store.assignRound('test')).toHaveLength(2);
    now += 10_000;
    await reconciler.run();
    const second = await reconciler.run();
    expect(second.unplaced).toBe(0);
    expect(counts(second)).toEqual(clean);
  });

  it('reports a lease held by an agent that is no longer active or draining', async () => {
    const { agent } = await store.registerAgent('test', { name: 'w', skills: ['s'] });
    const { tasks } = await submit([spec('t')]);
    await store.assignRound('test');
    await corrupt(async (tx) =>
      tx.putAgent({ ...(await tx.getAgent(agent.id))!, state: 'lost', updatedAt: now }),
    );
    const report = await reconciler.run();
    expect(report.violations.orphaned_lease).toMatchObject({
      count: 1,
      examples: [{ subject: tasks[0]!.id, detail: expect.stringContaining('which is lost') }],
    });
    expect(report.violations.stale_lease.count).toBe(0);
  });

  it('reports a lease still held more than one sweep interval after it expired', async () => {
    await store.registerAgent('test', { name: 'w', skills: ['s'] });
    const { tasks } = await submit([spec('t')]);
    const [lease] = await store.assignRound('test');
    const expiry = lease!.task.leaseExpiresAt!;
    now = expiry + config.heartbeat.sweepIntervalMs + config.reconciler.graceMs;
    expect((await reconciler.run()).violations.stale_lease.count).toBe(0);
    now += 1;
    expect((await reconciler.run()).violations.stale_lease).toMatchObject({
      count: 1,
      examples: [{ subject: tasks[0]!.id }],
    });
  });

  it('reports goal counters that differ from the states of its tasks', async () => {
    await store.registerAgent('test', { name: 'w', skills: ['s'] });
    const { goal } = await submit([spec('a'), spec('b')]);
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
    await store.registerAgent('test', { name: 'w', skills: ['s'] });
    const { tasks } = await submit([spec('a'), spec('b'), spec('join', { dependsOn: ['a', 'b'] })]);
    await store.assignRound('test');
    await finish(tasks[0]!);
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
