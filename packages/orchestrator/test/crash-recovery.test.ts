import { afterAll, describe, expect, it } from 'vitest';
import { Http, poll, startServer, type ServerHandle } from '@kos/testing';
import { registerAgent, type TaskView } from './fixtures.ts';

describe('kill -9 of the orchestrator', () => {
  const servers: ServerHandle[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    servers[0]?.cleanup();
  });

  it('loses nothing that was acknowledged and carries on after a restart', async () => {
    const first = await startServer();
    servers.push(first);
    let admin = new Http(first.url, first.adminToken);
    const collector = await registerAgent(admin, 'collector', ['data_collection']);
    await registerAgent(admin, 'analyst', ['data_analysis']);
    await registerAgent(admin, 'reporter', ['reporting']);
    const dec = await admin.post<{ goal_id: string; subtasks: TaskView[] }>('/orchestration/decompose', {
      goal: 'analyze customer data trends',
      context: 'Q4 2024',
    });
    expect(dec.status).toBe(201);
    const [collect, analyse] = dec.body.subtasks;
    const lease = await poll(async () =>
      (await collector.leases()).find((l) => l.subtask_uuid === collect!.id),
    );
    const done = await collector.http.post('/orchestration/complete', {
      subtask_uuid: collect!.id,
      result: { rows: 42 },
      epoch: lease.epoch,
    });
    expect(done.status).toBe(200);
    // A second goal acknowledged right before the crash.
    const second = await admin.post<{ goal_id: string }>('/orchestration/decompose', {
      goal: 'develop authentication system',
    });
    expect(second.status).toBe(201);

    await first.kill();

    const again = await startServer({ dataDir: first.dataDir });
    servers.push(again);
    admin = new Http(again.url, again.adminToken);
    expect(again.adminToken).toBe(first.adminToken);
    const goal = await admin.get<{ goal: { state: string }; tasks: TaskView[] }>(
      `/orchestration/goals/${dec.body.goal_id}`,
    );
    expect(goal.status).toBe(200);
    expect(goal.body.goal.state).toBe('running');
    const byId = new Map(goal.body.tasks.map((t) => [t.id, t]));
    expect(byId.get(collect!.id)?.state).toBe('succeeded');
    expect(['ready', 'leased']).toContain(byId.get(analyse!.id)?.state);
    const dev = await admin.get<{ tasks: TaskView[] }>(`/orchestration/goals/${second.body.goal_id}`);
    expect(dev.body.tasks.map((t) => t.name)).toEqual([
      'Requirements Analysis',
      'Design Phase',
      'Implementation',
      'Testing',
    ]);

    // The agents come back (new tokens, same names): each gets its lease and the goal finishes.
    for (const [name, skills] of [
      ['analyst', ['data_analysis']],
      ['reporter', ['reporting']],
    ] as const) {
      const agent = await registerAgent(admin, name, [...skills]);
      const l = await poll(async () => (await agent.leases())[0]);
      const c = await agent.http.post('/orchestration/complete', {
        subtask_uuid: l.subtask_uuid,
        result: 'ok',
        epoch: l.epoch,
      });
      expect(c.status).toBe(200);
    }
    await poll(async () => {
      const g = await admin.get<{ goal: { state: string } }>(`/orchestration/goals/${dec.body.goal_id}`);
      return g.body.goal.state === 'succeeded';
    });
  });
});
