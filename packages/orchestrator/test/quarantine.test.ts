import { describe, expect, it } from 'vitest';
import { type Envelope } from '@kos/protocol';
import { generateKey, type AgentKey } from '@kos/protocol/node';
import { poll, useServer, type Http } from '@kos/testing';
import { getTask, registerAgent, submitDag } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

interface AgentBody {
  id: string;
  state: string;
  trust: number;
  health: {
    consecutive_failures: number;
    quarantine: { reason: string; by: string; at: string } | null;
  };
}
interface EventBody {
  seq: number;
  kind: string;
  actor: string;
  agent_id: string | null;
  data: Record<string, unknown>;
}
interface ErrorBody {
  error: { code: string };
}

/** Quarantine and release against a real orchestrator process: over KLP and the HTTP API. */
describe('agent quarantine', () => {
  const running = useServer();

  async function token(role: string, agentName?: string): Promise<string> {
    const res = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role,
      ...(agentName === undefined ? {} : { agent_name: agentName }),
    });
    expect(res.status).toBe(201);
    return res.body.token;
  }

  async function connected(name: string, skills: string[], key: AgentKey = generateKey()) {
    const klp = await RawKlp.connect(running.server.url, name);
    const welcome = await klp.hello(key, skills, await token('agent', name));
    expect(welcome.type).toBe('welcome');
    return { klp, key, agentId: (welcome as Envelope<'welcome'>).payload.agent_id };
  }

  const agent = async (id: string) =>
    (await running.admin.get<{ agent: AgentBody }>(`/orchestration/agents/${id}`)).body.agent;
  const events = async (agentId: string) =>
    (await running.admin.get<{ events: EventBody[] }>(`/orchestration/events?agent_id=${agentId}&limit=1000`))
      .body.events;
  /** Everything a refused request must leave as it was. */
  const snapshot = async (agentId: string) => ({
    agent: await agent(agentId),
    events: await events(agentId),
  });

  it('quarantines an agent that sends a forged frame: its lease is revoked and it gets no further work', async () => {
    const { klp, key, agentId } = await connected('forger', ['fg']);
    const dag = await submitDag(running.admin, [{ name: 'job', skills: ['fg'] }]);
    const job = dag.subtasks[0]!.id;
    await klp.next((e) => e.type === 'TASK_REQUEST');

    // A heartbeat whose signature is not the session key's: a forged frame on a bound session.
    const hb = klp.build('heartbeat', { in_flight: [{ task_id: job, epoch: 1 }] });
    klp.sendRaw({ ...hb, auth: { kid: key.kid, chain: klp.head, sig: 'A'.repeat(86) } });
    const alert = await klp.next((e) => e.type === 'SECURITY_ALERT');
    expect(alert.payload).toMatchObject({ code: 'KOS_ERR_BAD_SIGNATURE' });
    expect((await klp.closed).code).toBe(4401);

    const isolated = await poll(async () => {
      const a = await agent(agentId);
      return a.state === 'quarantined' ? a : undefined;
    });
    expect(isolated.health.quarantine).toMatchObject({ by: 'system' });
    expect(isolated.health.quarantine?.reason).toContain('KOS_ERR_BAD_SIGNATURE');
    expect(isolated.trust).toBeLessThan(0.6); // halved by the forged frame
    expect((await getTask(running.admin, job)).state).toBe('ready');

    // It cannot come back on its own, and rounds pass it by.
    const again = await RawKlp.connect(running.server.url, 'forger');
    const refused = await again.hello(key, ['fg']);
    expect(refused).toMatchObject({ type: 'error', payload: { code: 'KOS_ERR_AGENT_NOT_ACTIVE' } });
    await submitDag(running.admin, [{ name: 'more', skills: ['fg'] }]);
    expect((await running.admin.post('/orchestration/assign', {})).status).toBe(200);
    const assigned = (await events(agentId)).filter((e) => e.kind === 'task.assigned');
    expect(assigned).toHaveLength(1); // the first job, before the forged frame
    expect((await getTask(running.admin, job)).state).toBe('ready');

    const status = await running.admin.get<{ agents: { health: { quarantined: number } } }>(
      '/orchestration/status',
    );
    expect(status.body.agents.health.quarantined).toBeGreaterThanOrEqual(1);

    // Released by an admin, it reconnects with its key and gets the work.
    const release = await running.admin.post<{ agent: AgentBody }>(
      `/orchestration/agents/${agentId}/release`,
      { reason: 'key rotated' },
    );
    expect(release.status).toBe(200);
    expect(release.body.agent).toMatchObject({ state: 'unregistered', health: { quarantine: null } });
    const back = await RawKlp.connect(running.server.url, 'forger');
    expect((await back.hello(key, ['fg'])).type).toBe('welcome');
    // Its trust (halved by the forged frame) is below the threshold: experimental work only.
    expect((await agent(agentId)).trust).toBeLessThan(0.7);
    const trial = await submitDag(running.admin, [
      { name: 'trial', skills: ['fg'], policy: { experimental: true } },
    ]);
    const req = (await back.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    expect(req.payload.task_id).toBe(trial.subtasks[0]!.id);
    back.close();
  });

  it('revokes the leases of an agent an admin quarantines and tells it to stop', async () => {
    const { klp, agentId } = await connected('suspect', ['sp']);
    const dag = await submitDag(running.admin, [{ name: 'job', skills: ['sp'] }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const res = await running.admin.post<{ agent: AgentBody; revoked: string[] }>(
      `/orchestration/agents/${agentId}/quarantine`,
      { reason: 'exfiltrates data' },
    );
    expect(res.status).toBe(200);
    expect(res.body.revoked).toEqual([dag.subtasks[0]!.id]);
    expect(res.body.agent.health.quarantine).toMatchObject({ reason: 'exfiltrates data' });
    const stop = await klp.next((e) => e.type === 'rollback');
    expect(stop.payload).toMatchObject({ task_id: req.payload.task_id, epoch: req.payload.epoch });
    const [event] = (await events(agentId)).filter((e) => e.data['to'] === 'quarantined');
    expect(event?.actor).toMatch(/^token:/);
    expect(event?.data['by']).toBe(event?.actor);
    klp.close();
  });

  it('lets only an admin release, refuses bad input with typed errors, and changes nothing then', async () => {
    const worker = await registerAgent(running.admin, 'held', ['hd'], 1);
    const quarantine = (http: Http, body: unknown, id = worker.id) =>
      http.post<ErrorBody>(`/orchestration/agents/${id}/quarantine`, body);
    const release = (http: Http, body: unknown = {}, id = worker.id) =>
      http.post<ErrorBody>(`/orchestration/agents/${id}/release`, body);
    const admin = running.admin;
    const viewer = admin.as(await token('viewer'));
    const submitter = admin.as(await token('submitter'));

    type Refusal = [() => Promise<{ status: number; body: ErrorBody }>, number, string];
    async function expectRefused(refusals: Refusal[]) {
      const before = await snapshot(worker.id);
      for (const [send, status, code] of refusals) {
        const res = await send();
        expect([res.status, res.body.error.code]).toEqual([status, code]);
      }
      expect(await snapshot(worker.id)).toEqual(before);
    }

    await expectRefused([
      [() => release(admin), 409, 'KOS_ERR_AGENT_NOT_QUARANTINED'],
      [() => quarantine(admin, {}), 400, 'KOS_ERR_VALIDATION'],
      [() => quarantine(admin, { reason: '' }), 400, 'KOS_ERR_VALIDATION'],
      [() => quarantine(admin, { reason: '   ' }), 400, 'KOS_ERR_VALIDATION'],
      [() => quarantine(admin, { reason: 'x', force: true }), 400, 'KOS_ERR_VALIDATION'],
      [() => quarantine(admin, { reason: 'x' }, 'no-such-agent'), 404, 'KOS_ERR_AGENT_NOT_FOUND'],
      [() => quarantine(admin.as(undefined), { reason: 'x' }), 401, 'KOS_ERR_UNAUTHENTICATED'],
      [() => quarantine(viewer, { reason: 'x' }), 403, 'KOS_ERR_FORBIDDEN'],
      [() => quarantine(worker.http, { reason: 'x' }), 403, 'KOS_ERR_FORBIDDEN'],
      [() => quarantine(admin, '{"reason": '), 400, 'KOS_ERR_BAD_JSON'],
    ]);

    expect((await quarantine(admin, { reason: 'audit' })).status).toBe(200);
    await expectRefused([
      [() => release(viewer), 403, 'KOS_ERR_FORBIDDEN'],
      [() => release(submitter), 403, 'KOS_ERR_FORBIDDEN'],
      [() => release(admin, { reason: 42 }), 400, 'KOS_ERR_VALIDATION'],
      [() => quarantine(admin, { reason: 'twice' }), 409, 'KOS_ERR_AGENT_QUARANTINED'],
    ]);
    const heartbeat = await worker.http.post<ErrorBody>('/orchestration/heartbeat', { agent_id: worker.id });
    expect(heartbeat.body.error.code).toBe('KOS_ERR_AGENT_NOT_ACTIVE');

    const ok = await release(admin, { reason: 'cleared' });
    expect(ok.status).toBe(200);
    const released = (await events(worker.id)).at(-1);
    expect(released).toMatchObject({ kind: 'agent.state', data: { to: 'unregistered', reason: 'cleared' } });
    expect(released?.actor).toMatch(/^token:/);
    // Registering again brings it back to work.
    const reg = await worker.http.post('/orchestration/register', { context_id: 'held', skills: ['hd'] });
    expect(reg.status).toBe(200);
    const dag = await submitDag(admin, [{ name: 'after', skills: ['hd'] }]);
    const lease = await poll(async () => (await worker.leases())[0]);
    expect(lease.subtask_uuid).toBe(dag.subtasks[0]!.id);
  });
});
