import { describe, expect, it } from 'vitest';
import { type AnyEnvelope, type Envelope } from '@kos/protocol';
import { generateKey, verifyReceipts } from '@kos/protocol/node';
import { poll, useServer } from '@kos/testing';
import { configFile, signedReceiptLog, submitDag } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

const PING_AFTER_MS = 300;
const PONG_TIMEOUT_MS = 300;

/** Short ping timers; leases outlive a test, an agent that does not heartbeat is lost in 2 s. */
const config = (): string =>
  configFile([
    'heartbeat:\n  ttl_ms: 2000\n  sweep_interval_ms: 100',
    'leases:\n  ttl_ms: 20000',
    `klp:\n  ping_after_ms: ${PING_AFTER_MS}\n  pong_timeout_ms: ${PONG_TIMEOUT_MS}\n  pulse_write_interval_ms: 400`,
  ]);

interface TaskBody {
  task: { state: string; progress: number | null; lease_expires_at: string | null; epoch: number };
}

/** The orchestrator's pings and the agents' pulses, over a real WebSocket, spoken by hand. */
describe('liveness over KLP: ping and pulse', () => {
  const running = useServer(() => ({ configFile: config() }));

  async function connected(name: string, skills: string[] = ['lv']) {
    const token = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: name,
    });
    const key = generateKey();
    const klp = await RawKlp.connect(running.server.url, name);
    const welcome = await klp.hello(key, skills, token.body.token);
    expect(welcome.type).toBe('welcome');
    return { klp, key, agentId: (welcome as Envelope<'welcome'>).payload.agent_id };
  }

  const taskOf = async (id: string) =>
    (await running.admin.get<TaskBody>(`/orchestration/tasks/${id}`)).body.task;

  const errorsOf = (klp: RawKlp): AnyEnvelope[] => klp.frames.filter((f) => f.type === 'error');

  it('pings a silent session and closes it when no pong comes; the agent is then lost by its heartbeat TTL', async () => {
    const { klp, agentId } = await connected('silent');
    const ping = await klp.next((e) => e.type === 'ping');
    expect(ping.payload).toEqual({});
    const closed = await klp.closed;
    expect(closed.code).toBe(4408);
    expect(closed.reason).toContain('ping');
    const agent = await poll(async () => {
      const a = await running.admin.get<{ agent: { state: string } }>(`/orchestration/agents/${agentId}`);
      return a.body.agent.state === 'lost' ? a.body.agent : undefined;
    });
    expect(agent.state).toBe('lost');
  });

  it('keeps a session open while its agent answers the orchestrator’s pings', async () => {
    const { klp, key } = await connected('answering');
    for (let i = 0; i < 3; i++) {
      const ping = await klp.next((e) => e.type === 'ping');
      klp.send('pong', {}, key, { context: { reply_to: ping.id } });
    }
    expect(klp.ws.readyState).toBe(klp.ws.OPEN);
    expect(errorsOf(klp)).toEqual([]);
    klp.close();
  });

  it('answers an agent’s own ping with a pong while its own ping waits for an answer', async () => {
    const { klp, key } = await connected('pinger');
    const theirs = await klp.next((e) => e.type === 'ping');
    const mine = klp.send('ping', {}, key);
    const answer = await klp.replyTo(mine.id);
    expect(answer.type).toBe('pong');
    klp.send('pong', {}, key, { context: { reply_to: theirs.id } });
    // The next silence is pinged again; nothing was taken for an error or a lost session.
    const next = await klp.next((e) => e.type === 'ping');
    klp.send('pong', {}, key, { context: { reply_to: next.id } });
    expect(errorsOf(klp)).toEqual([]);
    expect(klp.ws.readyState).toBe(klp.ws.OPEN);
    klp.close();
  });

  it('records a pulse’s progress on the task, marks it running and renews its lease', async () => {
    const { klp, key } = await connected('pulser', ['pl']);
    klp.keepAlive(key);
    const dag = await submitDag(running.admin, [{ name: 'p', skills: ['pl'] }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const taskId = req.payload.task_id;
    const leasedUntil = (await taskOf(taskId)).lease_expires_at!;
    klp.send('pulse', { task_id: taskId, epoch: 1, progress: 10 }, key, { task_id: taskId });
    const first = await poll(async () => {
      const t = await taskOf(taskId);
      return t.progress === 10 ? t : undefined;
    });
    expect(first.state).toBe('running');
    expect(Date.parse(first.lease_expires_at!)).toBeGreaterThan(Date.parse(leasedUntil));
    // Pulses within the write interval are not written one by one; the newest one is written.
    for (const progress of [20, 30, 40]) {
      klp.send('pulse', { task_id: taskId, epoch: 1, progress }, key, { task_id: taskId });
    }
    await poll(async () => (await taskOf(taskId)).progress === 40);

    // Pulses are not results: the receipt chain is unchanged, and a result after them is attributed.
    const done = klp.send('TASK_RESULT', { task_id: taskId, epoch: 1, status: 'succeeded', result: 1 }, key);
    expect((await klp.replyTo(done.id)).type).toBe('ack');
    klp.send('heartbeat', { in_flight: [] }, key);
    expect(verifyReceipts(await signedReceiptLog(running.admin, 'pulser'))).toEqual({
      attributed: [{ task_id: dag.subtasks[0]!.id, agent: 'pulser', key: key.publicKey }],
      unattributed: [],
    });
    expect(errorsOf(klp)).toEqual([]);
    klp.close();
  });

  it('refuses a pulse for a stale epoch and changes nothing, even right after a current one', async () => {
    const { klp, key } = await connected('stale-pulser', ['sp']);
    klp.keepAlive(key);
    await submitDag(running.admin, [{ name: 's', skills: ['sp'] }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const taskId = req.payload.task_id;
    klp.send('pulse', { task_id: taskId, epoch: 1, progress: 30 }, key, { task_id: taskId });
    const before = await poll(async () => {
      const t = await taskOf(taskId);
      return t.progress === 30 ? t : undefined;
    });
    const stale = klp.send('pulse', { task_id: taskId, epoch: 7, progress: 90 }, key, { task_id: taskId });
    expect((await klp.replyTo(stale.id)).payload).toMatchObject({ code: 'KOS_ERR_STALE_EPOCH' });
    expect(await taskOf(taskId)).toEqual(before);
    klp.close();
  });
});
