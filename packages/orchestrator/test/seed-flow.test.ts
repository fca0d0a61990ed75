import { describe, expect, it } from 'vitest';
import { poll, useServer } from '@kos/testing';
import { registerAgent, type TaskView as Task } from './fixtures.ts';

/** Seed 002's flow, over real HTTP against a real orchestrator process on a temporary SQLite file. */
describe('the seed 002 flow', () => {
  const running = useServer();

  it('registers three agents, decomposes the goal into three dependent subtasks, and completes them in order', async () => {
    const collector = await registerAgent(running.admin, 'collector', ['data_collection']);
    const analyst = await registerAgent(running.admin, 'analyst', ['data_analysis']);
    const reporter = await registerAgent(running.admin, 'reporter', ['reporting']);

    const dec = await running.admin.post<{
      goal_id: string;
      subtasks: Task[];
      feasibility: { feasible: boolean };
    }>('/orchestration/decompose', { goal: 'analyze customer data trends', context: 'Q4 2024' });
    expect(dec.status).toBe(201);
    expect(dec.body.feasibility.feasible).toBe(true);
    const [collect, analyse, report] = dec.body.subtasks;
    expect(dec.body.subtasks.map((t) => t.name)).toEqual([
      'Data Collection',
      'Data Analysis',
      'Report Generation',
    ]);
    expect(analyse!.depends_on).toEqual([collect!.id]);
    expect(report!.depends_on).toEqual([analyse!.id]);

    const assign = await running.admin.post<{ assignments: unknown[] }>('/orchestration/assign');
    expect(assign.status).toBe(200);

    // Only the first task is assignable; the tensor shows it one-hot on the collector at its level.
    const tensor = await poll(async () => {
      const t = await running.admin.get<{
        shape: number[];
        tasks: string[];
        agents: string[];
        data: number[][][];
      }>(`/orchestration/tensor?goal_id=${dec.body.goal_id}`);
      const row = t.body.data[t.body.tasks.indexOf(collect!.id)];
      return row && row.flat().includes(1) ? t.body : undefined;
    });
    expect(tensor.shape).toEqual([3, 3, 4]);
    const level = ['critical', 'high', 'medium', 'low'].indexOf(collect!.priority);
    expect(tensor.data[tensor.tasks.indexOf(collect!.id)]![tensor.agents.indexOf(collector.id)]![level]).toBe(
      1,
    );
    expect(tensor.data[tensor.tasks.indexOf(analyse!.id)]!.flat().every((v) => v === 0)).toBe(true);

    // The analysis task is not leased yet: completing it is refused and changes nothing.
    const early = await analyst.http.post('/orchestration/complete', {
      subtask_uuid: analyse!.id,
      result: 'too soon',
    });
    expect(early.status).toBe(409);

    for (const [agent, task] of [
      [collector, collect],
      [analyst, analyse],
      [reporter, report],
    ] as const) {
      const lease = await poll(async () => (await agent.leases()).find((l) => l.subtask_uuid === task!.id), {
        what: `lease of ${task!.name}`,
      });
      const done = await agent.http.post<{ task: Task }>('/orchestration/complete', {
        subtask_uuid: lease.subtask_uuid,
        result: `${task!.name} done`,
        epoch: lease.epoch,
      });
      expect(done.status).toBe(200);
      expect(done.body.task.state).toBe('succeeded');
      // A duplicate completion is refused.
      const again = await agent.http.post<{ error: { code: string } }>('/orchestration/complete', {
        subtask_uuid: lease.subtask_uuid,
        result: 'twice',
        epoch: lease.epoch,
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('KOS_ERR_TASK_NOT_ACTIVE');
    }

    const goal = await running.admin.get<{ goal: { state: string; succeeded_count: number }; tasks: Task[] }>(
      `/orchestration/goals/${dec.body.goal_id}`,
    );
    expect(goal.body.goal.state).toBe('succeeded');
    expect(goal.body.goal.succeeded_count).toBe(3);
    const status = await running.admin.get<{ goals: { by_state: Record<string, number> } }>(
      '/orchestration/status',
    );
    expect(status.body.goals.by_state.succeeded).toBe(1);

    // The event log tells the story: submission, assignments with explanations, transitions.
    const history = await running.admin.get<{ history: { kind: string; data: Record<string, unknown> }[] }>(
      `/orchestration/tasks/${analyse!.id}`,
    );
    const kinds = history.body.history.map((e) => e.kind);
    expect(kinds).toContain('task.assigned');
    const decision = history.body.history.find((e) => e.kind === 'task.assigned');
    expect(typeof decision?.data.explanation).toBe('string');
    expect(history.body.history.filter((e) => e.kind === 'task.state').map((e) => e.data.to)).toEqual([
      'ready',
      'leased',
      'succeeded',
    ]);
  });
});
