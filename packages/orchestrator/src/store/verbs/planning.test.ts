import { describe, expect, it } from 'vitest';
import type { PlanningInput } from '@kos/protocol';
import type { Plan } from '../../planner/index.ts';
import type { GoalPlanning } from '../../scheduler/goal.ts';
import { verbBackends, verbHarness } from '../verb-test-kit.ts';
import { firstPlanningPlan } from './planning.ts';

const backends = verbBackends();

/** Goals planned by a planner agent, through the store's verbs, on each backend. */
describe.each(backends)('planning goals on $name', (backend) => {
  const h = verbHarness(backend, { config: (c) => ({ ...c, planner: { ...c.planner, maxRepairs: 1 } }) });

  const fallback: Plan = {
    template: 'analysis',
    tasks: [h.task('Collect'), h.task('Report', { dependsOn: ['Collect'] })],
  };

  async function submitPlanned(options: { fallback?: Plan | null } = {}) {
    const planning: GoalPlanning = {
      planner: 'llm',
      context: { quarter: 'Q4' },
      maxRepairs: h.config.planner.maxRepairs,
      rejected: 0,
      fallback: options.fallback ?? null,
    };
    const goal = { goal: 'study the churn', priority: 'high' as const };
    const plan = firstPlanningPlan(goal, planning, [['s'], ['s', 'x']], h.config);
    return h.store.submitGoal('test', { ...goal, context: '{"quarter":"Q4"}', plan, planning });
  }

  /** Leases the goal's open planning task to the planner and completes it with `result`. */
  async function propose(goalId: string, result: unknown) {
    await h.store.assignRound('test');
    const open = await h.store.read((tx) => tx.listTasks({ goalId, states: ['leased'] }, { limit: 10 }));
    expect(open.map((t) => t.skills)).toEqual([['planning']]);
    await h.complete(open[0]!.id, result);
    return open[0]!;
  }

  const kinds = async (goalId: string) =>
    (await h.store.read((tx) => tx.listEvents({ goalId, limit: 200 })))
      .filter((e) => e.kind.startsWith('plan.'))
      .map((e) => ({ kind: e.kind, data: e.data }));

  const valid = {
    tasks: [
      { name: 'Gather', skills: ['s'] },
      { name: 'Explain', skills: ['x'], depends_on: ['Gather'], estimated_duration_ms: 5 },
    ],
  };

  it('stores a planned goal in planning with one ready planning task whose input is the round', async () => {
    await h.register('planner', { skills: ['planning'] });
    const { goal, tasks } = await submitPlanned();
    expect(goal).toMatchObject({ state: 'planning', template: 'planner', taskCount: 1 });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      name: 'Planning',
      skills: ['planning'],
      state: 'ready',
      priority: 'high',
    });
    const input = tasks[0]!.input as PlanningInput;
    expect(input).toMatchObject({ goal: 'study the churn', context: { quarter: 'Q4' }, round: 0 });
    expect(input.fleet).toEqual([
      { skill: 's', agents: 2 },
      { skill: 'x', agents: 1 },
    ]);
    expect(input.limits.max_tasks).toBe(h.config.limits.maxTasksPerGoal);
    expect((await h.goal(goal.id)).planning).toEqual(goal.planning);
  });

  it('expands the goal with an accepted proposal in the completing transaction, and runs it to success', async () => {
    await h.register('planner', { skills: ['planning'] });
    await h.register('worker', { skills: ['s', 'x'] });
    const { goal } = await submitPlanned();
    await propose(goal.id, valid);
    const expanded = await h.goal(goal.id);
    expect(expanded).toMatchObject({
      state: 'running',
      taskCount: 3,
      succeededCount: 1,
      template: 'planner',
    });
    const tasks = await h.store.read((tx) => tx.listTasks({ goalId: goal.id }, { limit: 10 }));
    expect(tasks.map((t) => [t.name, t.state])).toEqual([
      ['Planning', 'succeeded'],
      ['Gather', 'ready'],
      ['Explain', 'pending'],
    ]);
    expect(tasks[1]!.priority).toBe('high'); // the goal's priority, none proposed
    expect((await kinds(goal.id)).map((e) => e.kind)).toEqual([
      'plan.proposed',
      'plan.verdict',
      'plan.accepted',
    ]);
    for (const name of ['Gather', 'Explain']) {
      await h.store.assignRound('test');
      await h.complete(tasks.find((t) => t.name === name)!.id);
    }
    expect(await h.goal(goal.id)).toMatchObject({ state: 'succeeded', succeededCount: 3 });
  });

  it('sends a cyclic proposal back with its problems, then expands the repaired one', async () => {
    await h.register('planner', { skills: ['planning'] });
    await h.register('worker', { skills: ['s', 'x'] });
    const { goal } = await submitPlanned();
    const cyclic = {
      tasks: [
        { name: 'A', skills: ['s'], depends_on: ['B'] },
        { name: 'B', skills: ['s'], depends_on: ['A'] },
      ],
    };
    await propose(goal.id, cyclic);
    const repairing = await h.goal(goal.id);
    expect(repairing).toMatchObject({ state: 'planning', taskCount: 2, planning: { rejected: 1 } });
    const [repair] = await h.store.read((tx) =>
      tx.listTasks({ goalId: goal.id, states: ['ready'] }, { limit: 5 }),
    );
    expect(repair).toMatchObject({ name: 'Planning (repair 1)', skills: ['planning'] });
    const input = repair!.input as PlanningInput;
    expect(input.round).toBe(1);
    expect(input.previous?.proposal).toEqual(cyclic);
    expect(input.previous?.problems).toEqual([
      expect.objectContaining({
        code: 'KOS_ERR_DAG_CYCLE',
        task: 'A',
        message: expect.stringContaining('A → B → A'),
      }),
    ]);
    await propose(goal.id, valid);
    expect(await h.goal(goal.id)).toMatchObject({ state: 'running', taskCount: 4 });
    const verdicts = (await kinds(goal.id)).filter((e) => e.kind === 'plan.verdict').map((e) => e.data);
    expect(verdicts).toMatchObject([
      { round: 0, accepted: false, next: 'repair' },
      { round: 1, accepted: true, next: 'expand', problems: [] },
    ]);
  });

  it('falls back to the goal’s template plan once the last repair is rejected', async () => {
    await h.register('planner', { skills: ['planning'] });
    const { goal } = await submitPlanned({ fallback });
    await propose(goal.id, { tasks: [{ name: 'A', skills: ['nobody-has-this'] }] });
    await propose(goal.id, { failure: { code: 'unparseable', message: 'the model said: sure! here it is' } });
    const after = await h.goal(goal.id);
    expect(after).toMatchObject({ state: 'running', template: 'analysis', taskCount: 4 });
    const events = await kinds(goal.id);
    expect(events.filter((e) => e.kind === 'plan.verdict').map((e) => e.data)).toMatchObject([
      {
        round: 0,
        next: 'repair',
        problems: [{ code: 'KOS_ERR_PLAN_SKILL_MISSING', path: 'tasks/0/skills/0' }],
      },
      { round: 1, next: 'fallback', problems: [{ code: 'KOS_ERR_PLANNER_FAILED' }] },
    ]);
    expect(events.at(-1)).toMatchObject({
      kind: 'plan.accepted',
      data: { source: 'fallback', template: 'analysis' },
    });
  });

  it('fails the goal with KOS_ERR_PLAN_REJECTED and the problems when no template takes it', async () => {
    await h.register('planner', { skills: ['planning'] });
    const { goal } = await submitPlanned();
    await propose(goal.id, 'not a plan');
    await propose(goal.id, { tasks: [{ name: 'A', skills: ['s'], extra: 1 }] });
    expect(await h.goal(goal.id)).toMatchObject({ state: 'failed', taskCount: 2 });
    const [ended] = await h.store.read((tx) =>
      tx.listEvents({ goalId: goal.id, kinds: ['goal.state'], limit: 5 }),
    );
    expect(ended?.data).toMatchObject({
      from: 'planning',
      to: 'failed',
      code: 'KOS_ERR_PLAN_REJECTED',
      problems: [{ code: 'KOS_ERR_VALIDATION', path: 'tasks/0' }],
    });
  });

  it('fails the goal when its planning task dies, and cancels a goal while it plans', async () => {
    await h.register('planner', { skills: ['planning'] });
    const { goal } = await submitPlanned({ fallback });
    await h.store.assignRound('test');
    const [leased] = await h.store.read((tx) =>
      tx.listTasks({ goalId: goal.id, states: ['leased'] }, { limit: 1 }),
    );
    await h.fail(leased!.id, { retryable: false, message: 'planner crashed' });
    const failed = await h.goal(goal.id);
    expect(failed.state).toBe('failed');
    const second = await submitPlanned();
    await h.store.cancelGoal('user', second.goal.id, 'never mind');
    expect(await h.goal(second.goal.id)).toMatchObject({ state: 'cancelled' });
    expect((await h.get(second.tasks[0]!.id)).state).toBe('cancelled');
  });
});
