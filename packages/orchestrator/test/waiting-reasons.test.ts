import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http, poll, startServer, useServer, type ServerHandle } from '@kos/testing';
import { createTestDatabase, type TestDatabase } from '../src/store/postgres/test-database.ts';
import { registerAgent, submitDag } from './fixtures.ts';

interface Waiting {
  code: string;
  message: string;
  since: string | null;
}
type WaitingTask = { id: string; name: string; state: string; waiting_reason: Waiting | null };

const taskOf = async (http: Http, id: string) =>
  (await http.get<{ task: WaitingTask }>(`/orchestration/tasks/${id}`)).body.task;
const byReason = async (http: Http) =>
  (await http.get<{ waiting: { by_reason: Record<string, number> } }>('/orchestration/status')).body.waiting
    .by_reason;

describe('why a task waits, over REST', () => {
  const running = useServer();

  it('shows why a task waits in the task, the task list and the status, and no reason once it is leased', async () => {
    const dag = await submitDag(running.admin, [
      { name: 'render', skills: ['wr-gpu'] },
      { name: 'publish', skills: ['wr-gpu'], depends_on: ['render'] },
    ]);
    const [render, publish] = dag.subtasks.map((t) => t.id) as [string, string];
    const held = await poll(async () => {
      const w = (await taskOf(running.admin, render)).waiting_reason;
      return w?.code === 'missing_skills' ? w : undefined;
    });
    expect(held).toEqual({
      code: 'missing_skills',
      message: 'no active agent has skill wr-gpu',
      since: expect.stringMatching(/^\d{4}-/),
    });
    const list = await running.admin.get<{ tasks: WaitingTask[] }>(
      `/orchestration/tasks?goal_id=${dag.goal_id}`,
    );
    expect(list.body.tasks.map((t) => [t.name, t.waiting_reason?.code])).toEqual([
      ['render', 'missing_skills'],
      ['publish', 'dependencies'],
    ]);
    expect((await taskOf(running.admin, publish)).waiting_reason).toEqual({
      code: 'dependencies',
      message: 'waiting for 1 dependency to succeed',
      since: null,
    });
    expect(await byReason(running.admin)).toEqual({ missing_skills: 1, dependencies: 1 });

    const gpu = await registerAgent(running.admin, 'wr-gpu-agent', ['wr-gpu']);
    await poll(async () => (await gpu.leases())[0]);
    expect(await taskOf(running.admin, render)).toMatchObject({ state: 'leased', waiting_reason: null });
    expect(await byReason(running.admin)).toEqual({ dependencies: 1 });
  });
});

describe('why a task waits, on two replicas of one PostgreSQL', () => {
  let db: TestDatabase;
  const replicas: ServerHandle[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('kos_waiting');
    for (let i = 0; i < 2; i++) replicas.push(await startServer({ env: { KOS_STORE: db.url } }));
  }, 60_000);
  afterAll(async () => {
    for (const r of replicas) await r.stop();
    for (const r of replicas) r.cleanup();
    await db?.drop();
  }, 60_000);

  it('shows on every replica the reason the leader gave, whichever replica took the goal', async () => {
    const [first, second] = replicas.map((r) => new Http(r.url, replicas[0]!.adminToken)) as [Http, Http];
    const dag = await submitDag(second, [{ name: 'render', skills: ['wr-nobody'] }]);
    const id = dag.subtasks[0]!.id;
    // Only the leader runs rounds; the other replica reads the reason from the store.
    for (const http of [first, second]) {
      const w = await poll(async () => {
        const r = (await taskOf(http, id)).waiting_reason;
        return r?.code === 'missing_skills' ? r : undefined;
      });
      expect(w.message).toBe('no active agent has skill wr-nobody');
    }
  });
});
