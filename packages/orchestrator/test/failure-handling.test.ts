import { afterAll, describe, expect, it } from 'vitest';
import { type Envelope } from '@kos/protocol';
import { generateKey } from '@kos/protocol/node';
import { Http, poll, startServer, useServer, type ServerHandle } from '@kos/testing';
import { fastTimersConfig, getTask, registerAgent, submitDag, type TaskView } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

interface ErrorBody {
  error: { code: string };
}
interface GoalBody {
  goal: { state: string; dead_count: number; skipped_count: number };
  tasks: TaskView[];
}
interface HistoryBody {
  history: { kind: string; actor: string; data: Record<string, unknown> }[];
}

/** Dead letters, approval and timeouts against a real orchestrator process (sweep every 100 ms). */
describe('failure handling over HTTP', () => {
  const running = useServer(() => ({ configFile: fastTimersConfig() }));

  async function tokenFor(role: 'submitter' | 'viewer'): Promise<{ http: Http; id: string }> {
    const res = await running.admin.post<{ token: string; id: string }>('/orchestration/tokens', { role });
    return { http: running.admin.as(res.body.token), id: res.body.id };
  }
  const goalOf = async (id: string) => (await running.admin.get<GoalBody>(`/orchestration/goals/${id}`)).body;

  it('retries a dead letter; refuses bad retries with typed errors and changes nothing', async () => {
    const worker = await registerAgent(running.admin, 'dl-worker', ['dl'], 1);
    const dag = await submitDag(running.admin, [
      { name: 'first', skills: ['dl'], policy: { retry: { max_attempts: 1 } } },
      { name: 'after', skills: ['dl'], depends_on: ['first'] },
    ]);
    const [first, after] = dag.subtasks as [TaskView, TaskView];
    const lease = await poll(async () => (await worker.leases())[0]);
    const failed = await worker.http.post<{ task: TaskView }>('/orchestration/fail', {
      subtask_uuid: first.id,
      epoch: lease.epoch,
      error: { message: 'upstream down' },
    });
    expect(failed.body.task.state).toBe('dead');
    const dead = await running.admin.get<{ tasks: TaskView[] }>('/orchestration/tasks?state=dead&limit=500');
    expect(dead.body.tasks.map((t) => t.id)).toContain(first.id);
    const before = await goalOf(dag.goal_id);
    expect(before.goal).toMatchObject({ state: 'failed', dead_count: 1, skipped_count: 1 });

    const viewer = await tokenFor('viewer');
    const refusals: [Http, string, unknown, number, string][] = [
      [running.admin, after.id, {}, 409, 'KOS_ERR_TASK_NOT_DEAD'],
      [running.admin, 'no-such-task', {}, 404, 'KOS_ERR_TASK_NOT_FOUND'],
      [running.admin, first.id, { reason: 5 }, 400, 'KOS_ERR_VALIDATION'],
      [running.admin, first.id, { reason: 'x', force: true }, 400, 'KOS_ERR_VALIDATION'],
      [worker.http, first.id, {}, 403, 'KOS_ERR_FORBIDDEN'],
      [viewer.http, first.id, {}, 403, 'KOS_ERR_FORBIDDEN'],
      [running.admin.as('not-a-token'), first.id, {}, 401, 'KOS_ERR_UNAUTHENTICATED'],
    ];
    for (const [http, id, body, status, code] of refusals) {
      const res = await http.post<ErrorBody>(`/orchestration/tasks/${id}/retry`, body);
      expect([res.status, res.body.error.code]).toEqual([status, code]);
    }
    expect(await goalOf(dag.goal_id)).toEqual(before);

    const submitter = await tokenFor('submitter');
    const retried = await submitter.http.post<{ task: TaskView }>(`/orchestration/tasks/${first.id}/retry`, {
      reason: 'upstream is back',
    });
    expect(retried.status).toBe(200);
    expect(retried.body.task).toMatchObject({ state: 'ready', attempts: 1, max_attempts: 2 });
    const reopened = await goalOf(dag.goal_id);
    expect(reopened.goal).toMatchObject({ state: 'running', dead_count: 0, skipped_count: 0 });
    expect(reopened.tasks.find((t) => t.id === after.id)?.state).toBe('pending');

    for (const task of [first, after]) {
      const l = await poll(async () => (await worker.leases()).find((x) => x.subtask_uuid === task.id));
      const done = await worker.http.post('/orchestration/complete', {
        subtask_uuid: task.id,
        result: 1,
        epoch: l.epoch,
      });
      expect(done.status).toBe(200);
    }
    expect((await goalOf(dag.goal_id)).goal.state).toBe('succeeded');
    const history = await running.admin.get<HistoryBody>(`/orchestration/tasks/${first.id}`);
    expect(history.body.history.find((e) => e.data['decision'] === 'retry')).toMatchObject({
      actor: `token:${submitter.id}`,
      data: { from: 'dead', to: 'ready', reason: 'upstream is back' },
    });
  });

  it('approves and denies tasks awaiting approval; only admins decide', async () => {
    const worker = await registerAgent(running.admin, 'ap-worker', ['ap'], 1);
    const gated = (
      await submitDag(running.admin, [
        { name: 'gated', skills: ['ap'], policy: { approval: { before_run: true } } },
      ])
    ).subtasks[0]!;
    const waiting = await running.admin.get<{ tasks: TaskView[] }>(
      '/orchestration/tasks?state=awaiting_approval',
    );
    expect(waiting.body.tasks.map((t) => t.id)).toContain(gated.id);

    const submitter = await tokenFor('submitter');
    const refused = await submitter.http.post<ErrorBody>(`/orchestration/tasks/${gated.id}/approve`, {});
    expect([refused.status, refused.body.error.code]).toEqual([403, 'KOS_ERR_FORBIDDEN']);
    const badBody = await running.admin.post<ErrorBody>(`/orchestration/tasks/${gated.id}/deny`, {
      reason: 'x'.repeat(1001),
    });
    expect([badBody.status, badBody.body.error.code]).toEqual([400, 'KOS_ERR_VALIDATION']);
    expect((await getTask(running.admin, gated.id)).state).toBe('awaiting_approval');

    const approved = await running.admin.post<{ task: TaskView }>(
      `/orchestration/tasks/${gated.id}/approve`,
      {
        reason: 'change window open',
      },
    );
    expect(approved.body.task.state).toBe('ready');
    const lease = await poll(async () => (await worker.leases()).find((l) => l.subtask_uuid === gated.id));
    await worker.http.post('/orchestration/complete', {
      subtask_uuid: gated.id,
      result: 1,
      epoch: lease.epoch,
    });

    const risky = await submitDag(running.admin, [
      {
        name: 'risky',
        skills: ['ap'],
        policy: { retry: { max_attempts: 1 }, approval: { on_failure: true } },
      },
    ]);
    const id = risky.subtasks[0]!.id;
    const l = await poll(async () => (await worker.leases()).find((x) => x.subtask_uuid === id));
    const failed = await worker.http.post<{ task: TaskView }>('/orchestration/fail', {
      subtask_uuid: id,
      epoch: l.epoch,
      error: { message: 'charged twice?', retryable: false },
    });
    expect(failed.body.task.state).toBe('awaiting_approval');
    const denied = await running.admin.post<{ task: TaskView }>(`/orchestration/tasks/${id}/deny`, {
      reason: 'refund instead',
    });
    expect(denied.body.task).toMatchObject({
      state: 'dead',
      error: { code: 'denied', message: 'refund instead' },
    });
    expect((await goalOf(risky.goal_id)).goal.state).toBe('failed');
    const again = await running.admin.post<ErrorBody>(`/orchestration/tasks/${id}/approve`, {});
    expect([again.status, again.body.error.code]).toEqual([409, 'KOS_ERR_TASK_NOT_AWAITING_APPROVAL']);
    const history = await running.admin.get<HistoryBody>(`/orchestration/tasks/${id}`);
    expect(history.body.history.find((e) => e.data['decision'] === 'denied')).toMatchObject({
      actor: expect.stringMatching(/^token:/),
      data: { from: 'awaiting_approval', to: 'dead', reason: 'refund instead' },
    });
  });

  it('rejects task policies that do not fit with KOS_ERR_VALIDATION, creating nothing', async () => {
    const count = async () =>
      (await running.admin.get<{ goals: unknown[] }>('/orchestration/goals?limit=500')).body.goals.length;
    const before = await count();
    const policies = [
      { retry: { max_attempts: 0 } },
      { retry: { base_delay_ms: 500, max_delay_ms: 100 } },
      { retry: { delay_strategy: 'linear' } },
      { timeouts: { start_to_close_ms: -1 } },
      { fallback: { skills: [] } },
      { run_when: 'failed' },
      { colour: 'red' },
    ];
    for (const policy of policies) {
      const res = await running.admin.post<ErrorBody>('/orchestration/decompose', {
        goal: 'bad policy',
        tasks: [{ name: 'a', skills: ['x'], policy }],
      });
      expect([JSON.stringify(policy), res.status, res.body.error.code]).toEqual([
        JSON.stringify(policy),
        400,
        'KOS_ERR_VALIDATION',
      ]);
    }
    expect(await count()).toBe(before);
  });

  it('ends an attempt past start_to_close_ms and tells its holder to stop', async () => {
    const token = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: 'slow',
    });
    const key = generateKey();
    const klp = await RawKlp.connect(running.server.url, 'slow');
    expect((await klp.hello(key, ['slow-skill'], token.body.token)).type).toBe('welcome');
    const dag = await submitDag(running.admin, [
      {
        name: 'bounded',
        skills: ['slow-skill'],
        policy: { retry: { max_attempts: 1 }, timeouts: { start_to_close_ms: 300 } },
      },
    ]);
    const id = dag.subtasks[0]!.id;
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    expect(req.payload.task_id).toBe(id);
    // Heartbeats keep the lease alive; they do not extend the start-to-close timeout.
    klp.send('heartbeat', { in_flight: [{ task_id: id, epoch: req.payload.epoch }] }, key);
    const stop = (await klp.next((e) => e.type === 'rollback')) as Envelope<'rollback'>;
    expect(stop.payload).toMatchObject({ task_id: id, epoch: req.payload.epoch });
    const task = await poll(async () => {
      const t = await running.admin.get<{ task: TaskView & { error: { code: string } | null } }>(
        `/orchestration/tasks/${id}`,
      );
      return t.body.task.state === 'dead' ? t.body.task : undefined;
    });
    expect(task.error?.code).toBe('timeout.start_to_close');
    klp.close();
  });
});

describe('checkpoints across a failed attempt and a kill -9 of the orchestrator', () => {
  const servers: ServerHandle[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    servers[0]?.cleanup();
  });

  it('hands the last checkpoint of the failed attempt to the next attempt after a restart', async () => {
    const first = await startServer();
    servers.push(first);
    let admin = new Http(first.url, first.adminToken);
    const token = await admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: 'cp',
    });
    const key = generateKey();
    let klp = await RawKlp.connect(first.url, 'cp');
    expect((await klp.hello(key, ['cp-skill'], token.body.token)).type).toBe('welcome');
    const retry = {
      max_attempts: 3,
      delay_strategy: 'fixed',
      base_delay_ms: 1500,
      max_delay_ms: 1500,
      jitter: false,
    };
    const dag = await submitDag(admin, [{ name: 'resumable', skills: ['cp-skill'], policy: { retry } }]);
    const id = dag.subtasks[0]!.id;

    const one = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    expect(one.payload).toMatchObject({ task_id: id, attempt: 1, checkpoint: null });
    klp.send('STATUS_UPDATE', { task_id: id, epoch: 1, progress: 60, checkpoint: { rows: 600 } }, key);
    await poll(async () => (await getTask(admin, id)).state === 'running');
    const failed = klp.send(
      'TASK_RESULT',
      {
        task_id: id,
        epoch: 1,
        status: 'failed',
        error: { code: 'oom', message: 'out of memory', retryable: true },
      },
      key,
    );
    expect((await klp.replyTo(failed.id)).type).toBe('ack');
    expect((await getTask(admin, id)).state).toBe('retrying');
    await first.kill();
    klp.close();

    const again = await startServer({ dataDir: first.dataDir });
    servers.push(again);
    admin = new Http(again.url, again.adminToken);
    klp = await RawKlp.connect(again.url, 'cp');
    expect((await klp.hello(key, ['cp-skill'])).type).toBe('welcome');
    const two = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    expect(two.payload).toMatchObject({ task_id: id, attempt: 2, epoch: 2, checkpoint: { rows: 600 } });
    klp.close();
  });
});
