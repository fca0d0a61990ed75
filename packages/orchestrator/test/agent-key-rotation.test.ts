import { describe, expect, it } from 'vitest';
import type { Envelope } from '@kos/protocol';
import { fingerprint, generateKey, signKeyRotation, type AgentKey } from '@kos/protocol/node';
import { poll, useServer } from '@kos/testing';
import { submitDag } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

interface Refusal {
  error: { code: string; message: string };
}

/**
 * An agent moves its name to a new Ed25519 key with a statement both keys signed, over REST: its
 * id, history and receipts stay; the old key stops working at once. An admin unbinds a lost key.
 */
describe('agent key rotation', () => {
  const running = useServer();
  const agentToken = async (name: string) =>
    (
      await running.admin.post<{ token: string }>('/orchestration/tokens', {
        role: 'agent',
        agent_name: name,
      })
    ).body.token;
  const eventCount = async () =>
    (await running.admin.get<{ events: unknown[] }>('/orchestration/events?limit=1000')).body.events.length;

  /** A KLP agent that completed one task with `key`, its result covered by a signed heartbeat. */
  async function agentWithHistory(name: string) {
    const key = generateKey();
    const token = await agentToken(name);
    const klp = await RawKlp.connect(running.server.url, name);
    const welcome = (await klp.hello(key, [`${name}-skill`], token)) as Envelope<'welcome'>;
    expect(welcome.type).toBe('welcome');
    await submitDag(running.admin, [{ name: 'before', skills: [`${name}-skill`] }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const result = klp.send(
      'TASK_RESULT',
      { task_id: req.payload.task_id, epoch: 1, status: 'succeeded', result: 1 },
      key,
    );
    expect((await klp.replyTo(result.id)).type).toBe('ack');
    klp.send('heartbeat', { in_flight: [] }, key);
    const receipt = () =>
      running.admin.get<{ status: string }>(`/orchestration/tasks/${req.payload.task_id}/receipt`);
    await poll(async () => (await receipt()).body.status === 'verified');
    return { key, token, klp, agentId: welcome.payload.agent_id, taskId: req.payload.task_id, receipt };
  }

  const hello = async (name: string, key: AgentKey, token?: string) => {
    const klp = await RawKlp.connect(running.server.url, name);
    return { klp, reply: await klp.hello(key, [`${name}-skill`], token) };
  };

  it('moves the name to the new key, ending the old session; the id, history and receipts stay', async () => {
    const a = await agentWithHistory('rotating-a');
    const next = generateKey();
    const res = await running.admin
      .as(a.token)
      .post<{ agent_id: string; old_key: string; new_key: string }>(
        `/orchestration/agents/${a.agentId}/key`,
        signKeyRotation('rotating-a', a.key, next, new Date()),
      );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      agent_id: a.agentId,
      old_key: fingerprint(a.key.publicKey),
      new_key: fingerprint(next.publicKey),
    });
    expect((await a.klp.closed).code).toBe(4003);

    const old = await hello('rotating-a', a.key);
    expect(old.reply.type).not.toBe('welcome');
    expect(JSON.stringify(old.reply.payload)).toContain('KOS_ERR_IDENTITY_MISMATCH');
    const renewed = await hello('rotating-a', next);
    expect(renewed.reply.type).toBe('welcome');
    expect((renewed.reply as Envelope<'welcome'>).payload.agent_id).toBe(a.agentId);
    // The result signed with the old key is still attributed to the agent.
    expect((await a.receipt()).body.status).toBe('verified');
    const events = await running.admin.get<{ events: { kind: string; data: Record<string, unknown> }[] }>(
      `/orchestration/events?agent_id=${a.agentId}`,
    );
    expect(events.body.events.find((e) => e.data.action === 'agent.key_rotate')?.data).toMatchObject({
      agent_name: 'rotating-a',
      old_key: a.key.publicKey,
      new_key: next.publicKey,
    });
    renewed.klp.close();
    old.klp.close();
  });

  it('refuses a rotation with a bad signature, a stale date, another name or a replay, changing nothing', async () => {
    const a = await agentWithHistory('rotating-b');
    const next = generateKey();
    const as = running.admin.as(a.token);
    const url = `/orchestration/agents/${a.agentId}/key`;
    const good = signKeyRotation('rotating-b', a.key, next, new Date());
    const cases: [unknown, number, string, string][] = [
      [
        { ...good, new_sig: signKeyRotation('rotating-b', a.key, generateKey(), new Date()).new_sig },
        401,
        'KOS_ERR_BAD_SIGNATURE',
        "new key's signature",
      ],
      [
        signKeyRotation('rotating-b', generateKey(), next, new Date()),
        403,
        'KOS_ERR_IDENTITY_MISMATCH',
        'not bound to the old key',
      ],
      [
        signKeyRotation('rotating-b', a.key, next, new Date(Date.now() - 10 * 60_000)),
        400,
        'KOS_ERR_VALIDATION',
        'sign it again',
      ],
      [
        signKeyRotation('someone-else', a.key, next, new Date()),
        400,
        'KOS_ERR_VALIDATION',
        'signed for agent someone-else',
      ],
      [{ ...good, extra: 1 }, 400, 'KOS_ERR_VALIDATION', 'additional properties'],
    ];
    const otherToken = await agentToken('rotating-other');
    const before = await eventCount();
    for (const [body, status, code, text] of cases) {
      const res = await as.post<Refusal>(url, body);
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status, code });
      expect(res.body.error.message).toContain(text);
    }
    // Another agent's token may not rotate this agent's key.
    const other = await running.admin.as(otherToken).post<Refusal>(url, good);
    expect(other.body.error.code).toBe('KOS_ERR_AGENT_MISMATCH');
    expect(await eventCount()).toBe(before);
    expect((await hello('rotating-b', a.key)).reply.type).toBe('welcome'); // still bound to the old key

    expect((await as.post(url, good)).status).toBe(200);
    const replayed = await as.post<Refusal>(url, good);
    expect(replayed.body.error.code).toBe('KOS_ERR_IDENTITY_MISMATCH');
  });

  it('lets an admin unbind a lost key, after which a new agent token binds a new key', async () => {
    const a = await agentWithHistory('rotating-c');
    const url = `/orchestration/agents/${a.agentId}/key/reset`;
    const denied = await running.admin.as(a.token).post<Refusal>(url, { reason: 'lost laptop' });
    expect(denied.body.error.code).toBe('KOS_ERR_FORBIDDEN');
    const res = await running.admin.post<{ new_key: string | null }>(url, { reason: 'lost laptop' });
    expect(res.status).toBe(200);
    expect(res.body.new_key).toBeNull();
    expect((await a.klp.closed).code).toBe(4003);

    const replacement = generateKey();
    const withoutToken = await hello('rotating-c', replacement);
    expect(JSON.stringify(withoutToken.reply.payload)).toContain('KOS_ERR_UNAUTHENTICATED');
    const rebound = await hello('rotating-c', replacement, await agentToken('rotating-c'));
    expect((rebound.reply as Envelope<'welcome'>).payload.agent_id).toBe(a.agentId);
    const again = await running.admin.post<Refusal>(url, { reason: 'twice' });
    expect(again.status).toBe(200); // bound again, so it may be reset again
    rebound.klp.close();
    withoutToken.klp.close();
  });
});
