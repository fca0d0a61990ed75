import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http, poll, startServer, TcpProxy, type ServerHandle } from '@kos/testing';
import { createTestDatabase, type TestDatabase } from '../src/store/postgres/test-database.ts';
import { registerAgent, submitDag } from './fixtures.ts';

/**
 * The database goes away mid-run (a relay to PostgreSQL is cut) and comes back: requests fail fast
 * with 503 and a typed code instead of hanging, nothing acknowledged is lost, and work resumes.
 */
describe('a PostgreSQL outage', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let server: ServerHandle;
  let admin: Http;

  beforeAll(async () => {
    db = await createTestDatabase('kos_outage');
    proxy = await TcpProxy.start(5432);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    server = await startServer({ env: { KOS_STORE: url.toString() } });
    admin = new Http(server.url, server.adminToken);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
    await proxy?.stop();
    await db?.drop();
  });

  it('answers 503 while the database is down and carries on when it is back', async () => {
    const worker = await registerAgent(admin, 'outage-worker', ['o'], 5);
    const dag = await submitDag(admin, [
      { name: 'before', skills: ['o'] },
      { name: 'after', skills: ['o'], depends_on: ['before'] },
    ]);
    const first = await poll(async () => (await worker.leases())[0]);
    const done = await worker.http.post('/orchestration/complete', {
      subtask_uuid: first.subtask_uuid,
      result: 'kept',
      epoch: first.epoch,
    });
    expect(done.status).toBe(200);

    await proxy.stop();
    const started = Date.now();
    const ready = await admin.get<{ error: { code: string } }>('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('KOS_ERR_STORE_UNAVAILABLE');
    const write = await worker.http.post<{ error: { code: string } }>('/orchestration/heartbeat', {
      agent_id: worker.id,
    });
    expect(write.status).toBe(503);
    expect(write.body.error.code).toBe('KOS_ERR_STORE_UNAVAILABLE');
    // Fail fast: bounded by the connection timeout (5 s), not a hang.
    expect(Date.now() - started).toBeLessThan(12_000);

    await proxy.resume();
    await poll(async () => (await admin.get('/readyz')).status === 200, {
      timeoutMs: 20_000,
      what: '/readyz to recover',
    });
    const second = await poll(async () => (await worker.leases()).find((l) => l.name === 'after'), {
      timeoutMs: 20_000,
      what: 'work to resume',
    });
    const ok = await worker.http.post('/orchestration/complete', {
      subtask_uuid: second.subtask_uuid,
      result: 'ok',
      epoch: second.epoch,
    });
    expect(ok.status).toBe(200);
    const goal = await admin.get<{ goal: { state: string }; tasks: { name: string; result: unknown }[] }>(
      `/orchestration/goals/${dag.goal_id}`,
    );
    expect(goal.body.goal.state).toBe('succeeded');
    expect(goal.body.tasks.find((t) => t.name === 'before')?.result).toBe('kept');
  }, 90_000);
});
