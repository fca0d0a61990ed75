import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AnyEnvelope, type Envelope } from '@kos/protocol';
import { generateKey, type AgentKey } from '@kos/protocol/node';
import { poll, tempDir, useServer } from '@kos/testing';
import { submitDag } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

const GRACE_MS = 800;

/** Heartbeats and leases outlive a test, so only the grace deadline and the sweep (100 ms) act. */
function config(): string {
  const file = path.join(tempDir('kos-cfg-'), 'kos.yaml');
  writeFileSync(
    file,
    [
      'heartbeat:\n  ttl_ms: 20000\n  sweep_interval_ms: 100',
      'leases:\n  ttl_ms: 20000',
      `cancellation:\n  grace_ms: ${GRACE_MS}`,
      'delegation:\n  max_depth: 3',
    ].join('\n'),
  );
  return file;
}

interface TaskBody {
  task: {
    id: string;
    state: string;
    agent_id: string | null;
    attempts: number;
    result: unknown;
    error: { code: string } | null;
    delegations: { agent_id: string; action: string; reason: string; to: string | null }[];
  };
  history: { kind: string; actor: string; data: Record<string, unknown> }[];
}

/** Cancellation and hand-offs through the real gateway and REST API, spoken by hand over KLP. */
describe('cancelling and handing off tasks over KLP', () => {
  const running = useServer(() => ({ configFile: config() }));

  async function connected(name: string, skills: string[]) {
    const token = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: name,
    });
    const key: AgentKey = generateKey();
    const klp = await RawKlp.connect(running.server.url, name);
    const welcome = await klp.hello(key, skills, token.body.token);
    expect(welcome.type).toBe('welcome');
    return { klp, key, agentId: (welcome as Envelope<'welcome'>).payload.agent_id };
  }

  const taskOf = async (id: string) => (await running.admin.get<TaskBody>(`/orchestration/tasks/${id}`)).body;

  const trustOf = async (agentId: string) =>
    (await running.admin.get<{ agent: { trust: number } }>(`/orchestration/agents/${agentId}`)).body.agent
      .trust;

  /** A task leased to a fresh agent and reported running. */
  async function runningTask(name: string) {
    const agent = await connected(name, [`${name}-skill`]);
    const dag = await submitDag(running.admin, [{ name: 'job', skills: [`${name}-skill`] }]);
    const req = (await agent.klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const { task_id, epoch } = req.payload;
    agent.klp.send('STATUS_UPDATE', { task_id, epoch, progress: 10 }, agent.key);
    await poll(async () => (await taskOf(task_id)).task.state === 'running');
    return { ...agent, taskId: task_id, epoch, goalId: dag.goal_id };
  }

  const reply = (klp: RawKlp, env: AnyEnvelope) => klp.replyTo(env.id);

  it('cancels a running task: the agent is told to stop by a deadline, acknowledges, and keeps its trust', async () => {
    const { klp, key, agentId, taskId, epoch } = await runningTask('polite');
    const trust = await trustOf(agentId);
    const before = Date.now();
    const res = await running.admin.post<TaskBody>(`/orchestration/tasks/${taskId}/cancel`, {
      reason: 'no longer needed',
    });
    expect(res.status).toBe(200);
    expect(res.body.task).toMatchObject({ state: 'cancelling', agent_id: agentId });

    const stop = (await klp.next((e) => e.type === 'rollback')) as Envelope<'rollback'>;
    expect(stop.payload).toMatchObject({ task_id: taskId, epoch });
    expect(stop.payload.ack_by).toBeGreaterThanOrEqual(before + GRACE_MS - 50);

    // A result for a task being cancelled is refused and not applied.
    const result = klp.send('TASK_RESULT', { task_id: taskId, epoch, status: 'succeeded', result: 1 }, key);
    expect((await reply(klp, result)).payload).toMatchObject({ code: 'KOS_ERR_TASK_CANCELLED' });
    expect((await taskOf(taskId)).task).toMatchObject({ state: 'cancelling', result: null });

    const ack = klp.send('rollback', { task_id: taskId, epoch, reason: 'stopped' }, key);
    expect((await reply(klp, ack)).type).toBe('ack');
    const { task, history } = await taskOf(taskId);
    expect(task).toMatchObject({ state: 'cancelled', result: null, error: { code: 'cancelled' } });
    expect(history.map((e) => [e.kind, e.data.to])).toContainEqual(['task.state', 'cancelled']);
    expect(history.some((e) => e.kind === 'task.lease_revoked')).toBe(false);
    expect(await trustOf(agentId)).toBeCloseTo(trust, 2);
  });

  it('revokes the lease of an agent that ignores the cancel, refuses its late result, and lowers its trust', async () => {
    const { klp, key, agentId, taskId, epoch, goalId } = await runningTask('stubborn');
    const trust = await trustOf(agentId);
    await running.admin.post(`/orchestration/goals/${goalId}/cancel`, { reason: 'abandon' });
    const stop = (await klp.next((e) => e.type === 'rollback')) as Envelope<'rollback'>;
    expect(stop.payload.ack_by).toBeDefined();

    // The agent carries on; past the grace deadline the sweep revokes the lease and says so.
    const revoked = (await klp.next((e) => e.type === 'rollback', 5_000)) as Envelope<'rollback'>;
    expect(revoked.payload).toMatchObject({ task_id: taskId, epoch });
    expect(revoked.payload.ack_by).toBeUndefined();
    const { task, history } = await taskOf(taskId);
    expect(task.state).toBe('cancelled');
    expect(history.find((e) => e.kind === 'task.lease_revoked')?.data).toMatchObject({
      reason: 'lease_expired',
      cancelling: true,
    });

    const late = klp.send(
      'TASK_RESULT',
      { task_id: taskId, epoch, status: 'succeeded', result: 'late' },
      key,
    );
    expect((await reply(klp, late)).payload).toMatchObject({ code: 'KOS_ERR_TASK_NOT_ACTIVE' });
    expect((await taskOf(taskId)).task).toMatchObject({ state: 'cancelled', result: null });
    expect(await trustOf(agentId)).toBeLessThan(trust - 0.05);
  });

  it('records a decline in the chain and gives the task to another agent; refuses loops and unknown agents', async () => {
    const first = await connected('decliner', ['hand-skill']);
    await submitDag(running.admin, [{ name: 'hot potato', skills: ['hand-skill'] }]);
    const req = (await first.klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const { task_id: taskId, epoch } = req.payload;
    const before = await taskOf(taskId);

    const self = first.klp.send(
      'TASK_RESULT',
      { task_id: taskId, epoch, status: 'delegated', reason: 'me again', to: 'decliner' },
      first.key,
    );
    expect((await reply(first.klp, self)).payload).toMatchObject({ code: 'KOS_ERR_DELEGATION_LOOP' });
    const nobody = first.klp.send(
      'TASK_RESULT',
      { task_id: taskId, epoch, status: 'delegated', reason: 'to a ghost', to: 'ghost' },
      first.key,
    );
    expect((await reply(first.klp, nobody)).payload).toMatchObject({ code: 'KOS_ERR_AGENT_NOT_FOUND' });
    expect((await taskOf(taskId)).task).toEqual(before.task);

    const second = await connected('taker', ['hand-skill']);
    const decline = first.klp.send(
      'TASK_RESULT',
      { task_id: taskId, epoch, status: 'declined', reason: 'no GPU here' },
      first.key,
    );
    expect((await reply(first.klp, decline)).type).toBe('ack');
    const next = (await second.klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    expect(next.payload).toMatchObject({ task_id: taskId, epoch: epoch + 1, attempt: 1 });

    const back = second.klp.send(
      'TASK_RESULT',
      { task_id: taskId, epoch: epoch + 1, status: 'delegated', reason: 'yours', to: 'decliner' },
      second.key,
    );
    expect((await reply(second.klp, back)).payload).toMatchObject({ code: 'KOS_ERR_DELEGATION_LOOP' });

    const done = second.klp.send(
      'TASK_RESULT',
      { task_id: taskId, epoch: epoch + 1, status: 'succeeded', result: 'ok' },
      second.key,
    );
    expect((await reply(second.klp, done)).type).toBe('ack');
    const { task, history } = await taskOf(taskId);
    expect(task).toMatchObject({ state: 'succeeded', attempts: 1 });
    expect(task.delegations).toEqual([
      expect.objectContaining({
        agent_id: first.agentId,
        action: 'declined',
        reason: 'no GPU here',
        to: null,
      }),
    ]);
    expect(history.find((e) => e.data.delegation !== undefined)).toMatchObject({
      kind: 'task.state',
      actor: `agent:${first.agentId}`,
      data: { from: 'leased', to: 'ready', reason: 'declined', depth: 1 },
    });
  });

  it('refuses bad cancel requests with typed errors and changes nothing', async () => {
    const viewer = await running.admin.post<{ token: string }>('/orchestration/tokens', { role: 'viewer' });
    const agentToken = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: 'nobody',
    });
    const dag = await submitDag(running.admin, [{ name: 'waits', skills: ['no-agent-has-this'] }]);
    const id = dag.subtasks[0]!.id;
    const snapshot = async () => {
      const t = await taskOf(id);
      return { task: t.task, events: t.history.length };
    };
    const before = await snapshot();
    const url = `/orchestration/tasks/${id}/cancel`;
    const cases: [Promise<{ status: number; body: unknown }>, number, string][] = [
      [running.admin.post(url, { reason: 'x', extra: true }), 400, 'KOS_ERR_VALIDATION'],
      [running.admin.post(url, { reason: 'x'.repeat(1001) }), 400, 'KOS_ERR_VALIDATION'],
      [running.admin.post(url, { reason: 42 }), 400, 'KOS_ERR_VALIDATION'],
      [running.admin.post(url, 'not json'), 400, 'KOS_ERR_BAD_JSON'],
      [running.admin.as(undefined).post(url, {}), 401, 'KOS_ERR_UNAUTHENTICATED'],
      [running.admin.as(viewer.body.token).post(url, {}), 403, 'KOS_ERR_FORBIDDEN'],
      [running.admin.as(agentToken.body.token).post(url, {}), 403, 'KOS_ERR_FORBIDDEN'],
      [running.admin.post('/orchestration/tasks/no-such-task/cancel', {}), 404, 'KOS_ERR_TASK_NOT_FOUND'],
    ];
    for (const [answer, status, code] of cases) {
      const res = await answer;
      expect([res.status, (res.body as { error?: { code: string } }).error?.code]).toEqual([status, code]);
    }
    expect(await snapshot()).toEqual(before);

    // A submitter may cancel; cancelling twice is refused and changes nothing more.
    const submitter = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'submitter',
    });
    const ok = await running.admin.as(submitter.body.token).post<TaskBody>(url, {});
    expect(ok.status).toBe(200);
    expect(ok.body.task).toMatchObject({ state: 'cancelled', error: { code: 'cancelled' } });
    const cancelled = await snapshot();
    const again = await running.admin.post<{ error: { code: string } }>(url, { reason: 'again' });
    expect([again.status, again.body.error.code]).toEqual([409, 'KOS_ERR_TASK_FINISHED']);
    expect(await snapshot()).toEqual(cancelled);
  });
});
