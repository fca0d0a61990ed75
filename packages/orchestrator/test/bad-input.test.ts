import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http, poll, startServer, type ServerHandle } from '@kos/testing';
import { registerAgent, submitDag } from './fixtures.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * Every rejected request gets a 4xx with a registered code and changes no state: the event log
 * (which records every transition and every accepted mutation) does not move.
 */
describe('bad input', () => {
  let server: ServerHandle;
  let admin: Http;
  let alice: Awaited<ReturnType<typeof registerAgent>>;
  let bob: Awaited<ReturnType<typeof registerAgent>>;
  let leasedTask: { id: string; epoch: number };

  beforeAll(async () => {
    server = await startServer();
    admin = new Http(server.url, server.adminToken);
    alice = await registerAgent(admin, 'alice', ['x']);
    bob = await registerAgent(admin, 'bob', ['y']);
    const dag = await submitDag(admin, [{ name: 'only', skills: ['x'] }]);
    const lease = await poll(async () => (await alice.leases())[0]);
    leasedTask = { id: dag.subtasks[0]!.id, epoch: lease.epoch };
  });
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });

  async function snapshot() {
    const events = await admin.get<{ events: { seq: number }[] }>('/orchestration/events?limit=1000');
    const status = await admin.get<Record<string, unknown>>('/orchestration/status');
    const { uptime_s: _u, ...rest } = status.body;
    return { last: events.body.events.at(-1)?.seq, status: rest };
  }

  const cases: [string, () => Promise<{ status: number; body: unknown }>, number, string][] = [
    [
      'malformed JSON',
      () => admin.request('POST', '/orchestration/register', '{"context_id": "x", skills: ['),
      400,
      'KOS_ERR_BAD_JSON',
    ],
    [
      'a schema violation',
      () => admin.post('/orchestration/register', { context_id: 'x', skills: 'not-a-list' }),
      400,
      'KOS_ERR_VALIDATION',
    ],
    [
      'an unknown field',
      () => admin.post('/orchestration/heartbeat', { agent_id: 'a', extra: 1 }),
      400,
      'KOS_ERR_VALIDATION',
    ],
    [
      'an oversize body',
      () => admin.post('/orchestration/decompose', { goal: 'x'.repeat(2_000_000) }),
      413,
      'KOS_ERR_BODY_TOO_LARGE',
    ],
    [
      'a goal over the length limit',
      () => admin.post('/orchestration/decompose', { goal: 'x'.repeat(5000) }),
      422,
      'KOS_ERR_LIMIT_EXCEEDED',
    ],
    [
      'a path id over the length limit',
      () => admin.post(`/orchestration/tasks/${'x'.repeat(300)}/cancel`, {}),
      400,
      'KOS_ERR_VALIDATION',
    ],
    [
      'a non-JSON content type',
      () => admin.request('POST', '/orchestration/assign', 'hello', { 'content-type': 'text/plain' }),
      415,
      'KOS_ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a cycle',
      () =>
        admin.post('/orchestration/decompose', {
          goal: 'cyclic',
          tasks: [
            { name: 'a', skills: ['x'], depends_on: ['c'] },
            { name: 'b', skills: ['x'], depends_on: ['a'] },
            { name: 'c', skills: ['x'], depends_on: ['b'] },
          ],
        }),
      422,
      'KOS_ERR_DAG_CYCLE',
    ],
    [
      'an unknown dependency',
      () =>
        admin.post('/orchestration/decompose', {
          goal: 'g',
          tasks: [{ name: 'a', skills: ['x'], depends_on: ['ghost'] }],
        }),
      422,
      'KOS_ERR_DAG_UNKNOWN_DEPENDENCY',
    ],
    [
      'duplicate task names',
      () =>
        admin.post('/orchestration/decompose', {
          goal: 'g',
          tasks: [
            { name: 'a', skills: ['x'] },
            { name: 'a', skills: ['x'] },
          ],
        }),
      422,
      'KOS_ERR_DAG_DUPLICATE_TASK',
    ],
    [
      'an unknown task id',
      () => admin.post('/orchestration/complete', { subtask_uuid: 'no-such-task', result: 1 }),
      404,
      'KOS_ERR_TASK_NOT_FOUND',
    ],
    [
      'an unknown agent id',
      () => admin.post('/orchestration/heartbeat', { agent_id: 'no-such-agent' }),
      404,
      'KOS_ERR_AGENT_NOT_FOUND',
    ],
    [
      'an unknown goal id',
      () => admin.post('/orchestration/goals/nope/cancel', {}),
      404,
      'KOS_ERR_GOAL_NOT_FOUND',
    ],
    ['an unknown route', () => admin.get('/orchestration/nothing-here'), 404, 'KOS_ERR_ROUTE_NOT_FOUND'],
    ['no token', () => admin.as(undefined).post('/orchestration/assign'), 401, 'KOS_ERR_UNAUTHENTICATED'],
    [
      'a wrong token',
      () => admin.as('kos_abc_def').post('/orchestration/assign'),
      401,
      'KOS_ERR_UNAUTHENTICATED',
    ],
    [
      'an agent completing another agent’s task',
      () => bob.http.post('/orchestration/complete', { subtask_uuid: leasedTask.id, result: 'mine' }),
      409,
      'KOS_ERR_NOT_LEASE_HOLDER',
    ],
    [
      'an agent token acting as another agent',
      () => bob.http.post('/orchestration/heartbeat', { agent_id: alice.id }),
      403,
      'KOS_ERR_AGENT_MISMATCH',
    ],
    [
      'an agent token registering another name',
      () => bob.http.post('/orchestration/register', { context_id: 'alice', skills: ['x'] }),
      403,
      'KOS_ERR_AGENT_MISMATCH',
    ],
    [
      'an agent token submitting a goal',
      () => bob.http.post('/orchestration/decompose', { goal: 'g' }),
      403,
      'KOS_ERR_FORBIDDEN',
    ],
    [
      'a stale epoch',
      () =>
        alice.http.post('/orchestration/complete', {
          subtask_uuid: leasedTask.id,
          result: 'late',
          epoch: leasedTask.epoch + 5,
        }),
      409,
      'KOS_ERR_STALE_EPOCH',
    ],
    [
      'an unknown template',
      () => admin.post('/orchestration/decompose', { goal: 'g', template: 'nope' }),
      400,
      'KOS_ERR_VALIDATION',
    ],
  ];

  for (const [what, send, status, code] of cases) {
    it(`rejects ${what} with ${status} ${code} and changes nothing`, async () => {
      const before = await snapshot();
      const res = await send();
      expect(res.status).toBe(status);
      expect((res.body as ErrorBody).error.code).toBe(code);
      expect((res.body as ErrorBody).error.message.length).toBeGreaterThan(10);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('rejects a viewer token on a mutating route', async () => {
    const viewer = await admin.post<{ token: string }>('/orchestration/tokens', { role: 'viewer' });
    const before = await snapshot();
    const res = await admin.as(viewer.body.token).post<ErrorBody>('/orchestration/assign');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('KOS_ERR_FORBIDDEN');
    expect(await snapshot()).toEqual(before);
    expect((await admin.as(viewer.body.token).get('/orchestration/status')).status).toBe(200);
  });

  it('logs each rejection as a JSON line with one msg and the reason in its own field', async () => {
    const res = await admin.post<ErrorBody>('/orchestration/heartbeat', { agent_id: 'logged-ghost' });
    const line = await poll(() =>
      server.lines.find((l) => l.includes('"request rejected"') && l.includes('logged-ghost')),
    );
    expect(line.match(/"msg":/g)).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({
      msg: 'request rejected',
      code: 'KOS_ERR_AGENT_NOT_FOUND',
      route: '/orchestration/heartbeat',
      reason: res.body.error.message,
    });
  });

  it('still accepts the lease holder’s completion after all of that', async () => {
    const res = await alice.http.post<{ task: { state: string } }>('/orchestration/complete', {
      subtask_uuid: leasedTask.id,
      result: 'done',
      epoch: leasedTask.epoch,
    });
    expect(res.status).toBe(200);
    expect(res.body.task.state).toBe('succeeded');
  });
});
