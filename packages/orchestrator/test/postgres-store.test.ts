import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http, poll, startServer, type ServerHandle } from '@kos/testing';
import { createTestDatabase, type TestDatabase } from '../src/store/postgres/test-database.ts';
import { registerAgent, submitDag, type TaskView } from './fixtures.ts';

/** A real orchestrator process whose store is a fresh PostgreSQL database (KOS_STORE=postgres://…). */
describe('an orchestrator on the PostgreSQL store', () => {
  let db: TestDatabase;
  let server: ServerHandle | undefined;
  let admin: Http;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startServer({ env: { KOS_STORE: db.url } });
    admin = new Http(server.url, server.adminToken);
  });
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
    await db?.drop();
  });

  it('registers an agent and completes a three-task goal, keeping every row in PostgreSQL', async () => {
    const worker = await registerAgent(admin, 'pg-worker', ['step']);
    const dag = await submitDag(admin, [
      { name: 'first', skills: ['step'] },
      { name: 'second', skills: ['step'], depends_on: ['first'] },
      { name: 'third', skills: ['step'], depends_on: ['second'] },
    ]);
    expect(dag.subtasks.map((t: TaskView) => t.name)).toEqual(['first', 'second', 'third']);

    for (const task of dag.subtasks) {
      const lease = await poll(async () => (await worker.leases()).find((l) => l.subtask_uuid === task.id), {
        what: `lease of ${task.name}`,
      });
      const done = await worker.http.post<{ task: TaskView }>('/orchestration/complete', {
        subtask_uuid: lease.subtask_uuid,
        result: { step: task.name },
        epoch: lease.epoch,
      });
      expect(done.status).toBe(200);
      expect(done.body.task.state).toBe('succeeded');
    }

    const goal = await admin.get<{ goal: { state: string; succeeded_count: number } }>(
      `/orchestration/goals/${dag.goal_id}`,
    );
    expect(goal.body.goal).toMatchObject({ state: 'succeeded', succeeded_count: 3 });
    const status = await admin.get<{ store: string }>('/orchestration/status');
    expect(JSON.stringify(status.body)).toContain('"postgres"');

    // The state lives in the database, not in a SQLite file of the data directory.
    const rows = await db.query<{ name: string; state: string; result: string }>(
      'SELECT name, state, result FROM tasks WHERE goal_id = $1 ORDER BY rid',
      [dag.goal_id],
    );
    expect(rows).toEqual(
      ['first', 'second', 'third'].map((name) => ({
        name,
        state: 'succeeded',
        result: JSON.stringify({ step: name }),
      })),
    );
    const [agent] = await db.query<{ name: string }>('SELECT name FROM agents');
    expect(agent?.name).toBe('pg-worker');
    const events = await db.query<{ seq: number }>('SELECT seq FROM events ORDER BY seq');
    expect(events.length).toBeGreaterThan(0);
  });

  it('closes all its connections when it stops', async () => {
    expect(await db.connections()).toBeGreaterThan(0);
    await server!.stop();
    await poll(async () => ((await db.connections()) === 0 ? true : undefined), {
      what: 'the connections to close',
    });
    server!.cleanup();
    server = undefined;
  });
});
