import { describe, expect, it } from 'vitest';
import { type Envelope, type ReceiptLog } from '@kos/protocol';
import { generateKey, verifyReceipts } from '@kos/protocol/node';
import { poll, useServer } from '@kos/testing';
import { getTask, registerAgent, submitDag } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

/**
 * A name bound to an Ed25519 key over KLP accepts nothing from a caller who cannot prove that key,
 * whatever the door; a result reported without proof shows as such in the audit.
 */
describe('an agent bound to a key', () => {
  const running = useServer();

  async function agentToken(name?: string): Promise<string> {
    const body = name === undefined ? { role: 'agent' } : { role: 'agent', agent_name: name };
    return (await running.admin.post<{ token: string }>('/orchestration/tokens', body)).body.token;
  }

  /** A KLP agent holding the lease of one task of a fresh goal. */
  async function boundAgentWithLease(name: string) {
    const key = generateKey();
    const token = await agentToken(name);
    const klp = await RawKlp.connect(running.server.url, name);
    const welcome = (await klp.hello(key, [`${name}-skill`], token)) as Envelope<'welcome'>;
    expect(welcome.type).toBe('welcome');
    const dag = await submitDag(running.admin, [{ name: 'work', skills: [`${name}-skill`] }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    return { klp, key, token, agentId: welcome.payload.agent_id, taskId: req.payload.task_id, dag };
  }

  it('refuses a REST registration of its name by a fresh token, which stays unbound', async () => {
    const { klp, agentId } = await boundAgentWithLease('bound-a');
    const intruder = running.admin.as(await agentToken());
    const res = await intruder.post<{ error: { code: string; message: string } }>('/orchestration/register', {
      context_id: 'bound-a',
      skills: ['stolen'],
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('KOS_ERR_PROOF_REQUIRED');
    expect(res.body.error.message).toContain('bound-a');
    const agent = await running.admin.get<{ agent: { skills: string[] } }>(
      `/orchestration/agents/${agentId}`,
    );
    expect(agent.body.agent.skills).toEqual(['bound-a-skill']);
    // The refused registration did not bind the token: it can still register a name of its own.
    const own = await intruder.post('/orchestration/register', { context_id: 'intruder-own', skills: ['x'] });
    expect(own.status).toBe(200);
    klp.close();
  });

  it("refuses a REST result for its lease, even with its own token or an admin's", async () => {
    const { klp, token, taskId } = await boundAgentWithLease('bound-b');
    for (const http of [running.admin.as(token), running.admin]) {
      const res = await http.post<{ error: { code: string } }>('/orchestration/complete', {
        subtask_uuid: taskId,
        result: 'forged',
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('KOS_ERR_PROOF_REQUIRED');
      const failed = await http.post<{ error: { code: string } }>('/orchestration/fail', {
        subtask_uuid: taskId,
        error: { message: 'forged' },
      });
      expect(failed.body.error.code).toBe('KOS_ERR_PROOF_REQUIRED');
    }
    const task = await getTask(running.admin, taskId);
    expect(task.state).toBe('leased');
    expect(task.epoch).toBe(1);
    klp.close();
  });

  it('refuses REST heartbeats and unregistration as it', async () => {
    const { klp, token, agentId } = await boundAgentWithLease('bound-c');
    const asAgent = running.admin.as(token);
    const hb = await asAgent.post<{ error: { code: string } }>('/orchestration/heartbeat', {
      agent_id: agentId,
    });
    expect(hb.body.error.code).toBe('KOS_ERR_PROOF_REQUIRED');
    const un = await asAgent.post<{ error: { code: string } }>('/orchestration/unregister', {
      agent_id: agentId,
    });
    expect(un.body.error.code).toBe('KOS_ERR_PROOF_REQUIRED');
    const agent = await running.admin.get<{ agent: { state: string } }>(`/orchestration/agents/${agentId}`);
    expect(agent.body.agent.state).toBe('active');
    klp.close();
  });

  it('still takes results over its KLP session', async () => {
    const { klp, key, taskId } = await boundAgentWithLease('bound-d');
    const sent = klp.send('TASK_RESULT', { task_id: taskId, epoch: 1, status: 'succeeded', result: 1 }, key);
    expect((await klp.replyTo(sent.id)).type).toBe('ack');
    expect((await getTask(running.admin, taskId)).state).toBe('succeeded');
    klp.close();
  });
});

describe('the audit of results reported without a key', () => {
  const running = useServer();

  it('lists a REST result as not attributed, with who reported it', async () => {
    const agent = await registerAgent(running.admin, 'rest-worker', ['rest-skill']);
    const dag = await submitDag(running.admin, [{ name: 'by-rest', skills: ['rest-skill'] }]);
    const taskId = dag.subtasks[0]!.id;
    const [lease] = await poll(async () => {
      const l = await agent.leases();
      return l.length > 0 ? l : undefined;
    });
    expect(lease?.subtask_uuid).toBe(taskId);
    const done = await agent.http.post('/orchestration/complete', { subtask_uuid: taskId, result: 7 });
    expect(done.status).toBe(200);
    const log = (await running.admin.get<ReceiptLog>(`/orchestration/audit/receipts?goal_id=${dag.goal_id}`))
      .body;
    expect(log.unproven).toEqual([
      expect.objectContaining({ task_id: taskId, agent: 'rest-worker', outcome: 'succeeded' }),
    ]);
    const verdict = verifyReceipts(log);
    expect(verdict.attributed).toEqual([]);
    expect(verdict.unattributed).toEqual([
      { task_id: taskId, reason: expect.stringMatching(/^no receipt: reported by token:\w+ without a key/) },
    ]);
  });
});
