import { describe, expect, it } from 'vitest';
import { poll, useServer } from '@kos/testing';
import { getTask, registerAgent, submitDag } from './fixtures.ts';

interface AgentBody {
  id: string;
  state: string;
  active_leases: number;
}

/** POST /orchestration/agents/:id/drain against a real orchestrator process. */
describe('an operator drains an agent', () => {
  const running = useServer();
  const agentOf = async (id: string) =>
    (await running.admin.get<{ agent: AgentBody }>(`/orchestration/agents/${id}`)).body.agent;
  const eventCount = async () =>
    (await running.admin.get<{ events: unknown[] }>('/orchestration/events?limit=1000')).body.events.length;

  it('gives the agent no new task while the one it holds finishes, through its heartbeats', async () => {
    const w = await registerAgent(running.admin, 'drained-worker', ['drain-skill'], 1);
    const goal = await submitDag(running.admin, [
      { name: 'held', skills: ['drain-skill'] },
      { name: 'next', skills: ['drain-skill'] },
    ]);
    const [lease] = await poll(async () => {
      const leases = await w.leases();
      return leases.length === 1 ? leases : undefined;
    });
    const drained = await running.admin.post<{ agent: AgentBody }>(`/orchestration/agents/${w.id}/drain`, {
      reason: 'maintenance',
    });
    expect(drained.status).toBe(200);
    expect(drained.body.agent).toMatchObject({ state: 'draining', active_leases: 1 });

    // Its lease goes on and its report is taken; the other task is not offered to it.
    expect(await w.leases()).toHaveLength(1);
    const done = await w.http.post('/orchestration/complete', {
      subtask_uuid: lease!.subtask_uuid,
      result: { ok: true },
      epoch: lease!.epoch,
    });
    expect(done.status).toBe(200);
    await running.admin.post('/orchestration/assign');
    expect(await w.leases()).toEqual([]);
    expect((await agentOf(w.id)).state).toBe('draining');
    const other = goal.subtasks.find((t) => t.id !== lease!.subtask_uuid)!;
    expect((await getTask(running.admin, other.id)).state).toBe('ready');

    // The drain is in the agent's event log, with who asked and why.
    const events = await running.admin.get<{
      events: { kind: string; actor: string; data: { to?: string; reason?: string } }[];
    }>(`/orchestration/events?agent_id=${w.id}&limit=1000`);
    const change = events.body.events.find((e) => e.kind === 'agent.state' && e.data.to === 'draining');
    expect(change?.data.reason).toBe('maintenance');
    expect(change?.actor).toMatch(/^token:/);
  });

  it('refuses other roles, an agent that is not active, and an unknown id, changing nothing', async () => {
    const w = await registerAgent(running.admin, 'kept-worker', ['kept-skill']);
    for (const role of ['submitter', 'viewer']) {
      const token = await running.admin.post<{ token: string }>('/orchestration/tokens', { role });
      const before = await eventCount();
      const res = await running.admin.as(token.body.token).post(`/orchestration/agents/${w.id}/drain`, {});
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'KOS_ERR_FORBIDDEN' } });
      expect(await eventCount()).toBe(before);
      expect((await agentOf(w.id)).state).toBe('active');
    }
    expect((await running.admin.post(`/orchestration/agents/${w.id}/drain`)).status).toBe(200);
    const again = await running.admin.post(`/orchestration/agents/${w.id}/drain`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'KOS_ERR_AGENT_NOT_ACTIVE' } });
    const missing = await running.admin.post('/orchestration/agents/no-such-agent/drain');
    expect(missing.body).toMatchObject({ error: { code: 'KOS_ERR_AGENT_NOT_FOUND' } });
  });
});
