import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Envelope, type ReceiptLog } from '@kos/protocol';
import { generateKey, verifyReceipts, type AgentKey } from '@kos/protocol/node';
import { poll, useServer } from '@kos/testing';
import { getTask, submitDag } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

/** The KLP gateway over a real WebSocket to a real orchestrator process, spoken by hand. */
describe('the KLP gateway', () => {
  const running = useServer();

  async function agentToken(name: string): Promise<string> {
    const res = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: name,
    });
    return res.body.token;
  }

  async function connected(name: string, skills: string[], key: AgentKey = generateKey()) {
    const klp = await RawKlp.connect(running.server.url, name);
    const welcome = await klp.hello(key, skills, await agentToken(name));
    expect(welcome.type).toBe('welcome');
    return { klp, key, agentId: (welcome as Envelope<'welcome'>).payload.agent_id };
  }

  async function domainState() {
    const [tasks, agents] = await Promise.all([
      running.admin.get<{ tasks: unknown[] }>('/orchestration/tasks?limit=500'),
      running.admin.get<{ agents: { last_heartbeat_at: string }[] }>('/orchestration/agents'),
    ]);
    return { tasks: tasks.body.tasks, agents: agents.body.agents };
  }

  it('pushes work to a connected agent and accepts its progress, checkpoint and result', async () => {
    const { klp, key } = await connected('ws-worker', ['ws-skill']);
    const dag = await submitDag(running.admin, [{ name: 'remote', skills: ['ws-skill'], input: { n: 3 } }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    expect(req.payload).toMatchObject({
      task_id: dag.subtasks[0]!.id,
      input: { n: 3 },
      epoch: 1,
      attempt: 1,
      checkpoint: null,
    });
    expect(req.payload.deadline).toBeGreaterThan(Date.now());

    klp.send(
      'STATUS_UPDATE',
      { task_id: req.payload.task_id, epoch: 1, progress: 50, checkpoint: { done: 1 } },
      key,
    );
    await poll(async () => (await getTask(running.admin, req.payload.task_id)).state === 'running');

    const result = klp.send(
      'TASK_RESULT',
      { task_id: req.payload.task_id, epoch: 1, status: 'succeeded', result: 9 },
      key,
    );
    expect((await klp.replyTo(result.id)).type).toBe('ack');
    const task = await running.admin.get<{
      task: { state: string; result: unknown };
      history: { data: { receipt?: { chain: string } } }[];
    }>(`/orchestration/tasks/${req.payload.task_id}`);
    expect(task.body.task).toMatchObject({ state: 'succeeded', result: 9 });
    // The receipt chain value is kept with the transition.
    expect(task.body.history.some((e) => e.data.receipt?.chain === klp.head)).toBe(true);

    // Until a signed frame covers it, the result is not attributed; a signed heartbeat covers it.
    const agentId = (
      await running.admin.get<{ agents: { id: string; name: string }[] }>('/orchestration/agents')
    ).body.agents.find((a) => a.name === 'ws-worker')!.id;
    const fetchLog = async () =>
      (await running.admin.get<ReceiptLog>(`/orchestration/audit/receipts?agent_id=${agentId}`)).body;
    expect(verifyReceipts(await fetchLog()).attributed).toEqual([]);
    klp.send('heartbeat', { in_flight: [] }, key);
    const log = await poll(async () => {
      const l = await fetchLog();
      return l.heads.length > 0 ? l : undefined;
    });
    expect(verifyReceipts(log).attributed).toEqual([
      { task_id: req.payload.task_id, agent: 'ws-worker', key: key.publicKey },
    ]);
    // Offline, a tampered result or another key is caught.
    const tampered = { ...log, results: log.results.map((r) => ({ ...r, result: 10 })) };
    expect(verifyReceipts(tampered).attributed).toEqual([]);
    const otherKey = { ...log, sessions: log.sessions.map((x) => ({ ...x, key: generateKey().publicKey })) };
    expect(verifyReceipts(otherKey).attributed).toEqual([]);
    klp.close();
  });

  it('rejects a hello with a forged signature as a security alert and registers nothing', async () => {
    const before = await domainState();
    const klp = await RawKlp.connect(running.server.url, 'forger');
    const real = generateKey();
    const other = generateKey();
    // Claims `real`'s public key but signs with another private key.
    const alert = await klp.hello(
      { ...real, privateKey: other.privateKey },
      ['x'],
      await agentToken('forger'),
    );
    expect(alert).toMatchObject({ type: 'SECURITY_ALERT', payload: { code: 'KOS_ERR_BAD_SIGNATURE' } });
    await klp.closed;
    expect(await domainState()).toEqual(before);
  });

  it('rejects a name presented with another key', async () => {
    const { klp } = await connected('bound', ['b']);
    klp.close();
    const before = await domainState();
    const impostor = await RawKlp.connect(running.server.url, 'bound');
    const alert = await impostor.hello(generateKey(), ['b'], await agentToken('bound'));
    expect(alert).toMatchObject({ type: 'SECURITY_ALERT', payload: { code: 'KOS_ERR_IDENTITY_MISMATCH' } });
    expect(await domainState()).toEqual(before);
  });

  it('lets the key holder reconnect without a token', async () => {
    const key = generateKey();
    const first = await connected('returning', ['r'], key);
    first.klp.close();
    const again = await RawKlp.connect(running.server.url, 'returning');
    const welcome = await again.hello(key, ['r']);
    expect(welcome.type).toBe('welcome');
    expect((welcome as Envelope<'welcome'>).payload.agent_id).toBe(first.agentId);
    again.close();
  });

  it('refuses a replayed frame and a frame before hello', async () => {
    const { klp, key } = await connected('replayer', ['rp']);
    await submitDag(running.admin, [{ name: 'once', skills: ['rp'] }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const hb = klp.send(
      'TASK_RESULT',
      { task_id: req.payload.task_id, epoch: 1, status: 'succeeded', result: 1 },
      key,
    );
    expect((await klp.replyTo(hb.id)).type).toBe('ack');
    const before = await domainState();
    klp.sendRaw(hb);
    const alert = await klp.next((e) => e.type === 'SECURITY_ALERT');
    expect(alert.payload).toMatchObject({ code: 'KOS_ERR_REPLAY', ref: hb.id });
    expect(await domainState()).toEqual(before);
    klp.close();

    const stranger = await RawKlp.connect(running.server.url, 'replayer');
    stranger.sendRaw(hb);
    const refused = await stranger.next((e) => e.type === 'SECURITY_ALERT');
    expect(refused.payload).toMatchObject({ code: 'KOS_ERR_HANDSHAKE_REQUIRED' });
    expect((await stranger.closed).code).toBe(4401);
  });

  it('counts a task result over KLP in kos_tasks_transitions_total, as a result over REST is', async () => {
    const { klp, key } = await connected('counted-result', ['counted-skill']);
    const succeeded = async () =>
      Number(
        /kos_tasks_transitions_total\{to="succeeded"\} (\d+)/.exec(
          (await running.admin.get<string>('/metrics')).body,
        )?.[1] ?? 0,
      );
    const before = await succeeded();
    await submitDag(running.admin, [{ name: 'counted', skills: ['counted-skill'] }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const sent = klp.send(
      'TASK_RESULT',
      { task_id: req.payload.task_id, epoch: req.payload.epoch, status: 'succeeded', result: 1 },
      key,
    );
    expect((await klp.replyTo(sent.id)).type).toBe('ack');
    expect(await succeeded()).toBe(before + 1);
    klp.close();
  });

  it('counts a refused frame in kos_rejected_requests_total, by its code', async () => {
    const { klp, key } = await connected('counted-refusal', ['count-skill']);
    const rejected = async () =>
      Number(
        /kos_rejected_requests_total\{code="KOS_ERR_TASK_NOT_FOUND"\} (\d+)/.exec(
          (await running.admin.get<string>('/metrics')).body,
        )?.[1] ?? 0,
      );
    const before = await rejected();
    const sent = klp.send(
      'TASK_RESULT',
      { task_id: 'no-such-task', epoch: 1, status: 'succeeded', result: 1 },
      key,
    );
    const reply = (await klp.replyTo(sent.id)) as Envelope<'error'>;
    expect(reply.payload.code).toBe('KOS_ERR_TASK_NOT_FOUND');
    expect(await rejected()).toBe(before + 1);
    klp.close();
  });

  it('refuses a result that breaks the receipt chain and a heartbeat with a bad signature', async () => {
    const { klp, key } = await connected('chain-breaker', ['cb']);
    const dag = await submitDag(running.admin, [{ name: 'c', skills: ['cb'] }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const forged = klp.build('TASK_RESULT', {
      task_id: req.payload.task_id,
      epoch: 1,
      status: 'succeeded',
      result: 'x',
    });
    klp.sendRaw({ ...forged, auth: { kid: key.kid, chain: 'ab'.repeat(32) } });
    const alert = await klp.next((e) => e.type === 'SECURITY_ALERT');
    expect(alert.payload).toMatchObject({ code: 'KOS_ERR_CHAIN_MISMATCH' });
    // The forged result is not applied; its sender is quarantined and its lease revoked
    // (test/quarantine.test.ts), so the task waits for another agent.
    const task = await poll(async () => {
      const t = await getTask(running.admin, dag.subtasks[0]!.id);
      return t.state === 'leased' ? undefined : t;
    });
    expect(task.state).toBe('ready');

    const other = await connected('bad-signer', ['bs']);
    const hb = other.klp.build('heartbeat', { in_flight: [] });
    other.klp.sendRaw({ ...hb, auth: { kid: other.key.kid, chain: other.klp.head, sig: 'A'.repeat(86) } });
    const bad = await other.klp.next((e) => e.type === 'SECURITY_ALERT');
    expect(bad.payload).toMatchObject({ code: 'KOS_ERR_BAD_SIGNATURE' });
    const metrics = await running.admin.get<string>('/metrics');
    expect(metrics.body).toMatch(/kos_security_alerts_total\{code="KOS_ERR_BAD_SIGNATURE"\} [1-9]/);
  });

  it('answers a late result with a stale epoch and changes nothing', async () => {
    const { klp, key } = await connected('giver', ['gv']);
    const dag = await submitDag(running.admin, [{ name: 'g', skills: ['gv'] }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const back = klp.send('rollback', { task_id: req.payload.task_id, epoch: 1, reason: 'busy' }, key);
    expect((await klp.replyTo(back.id)).type).toBe('ack');
    const again = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    expect(again.payload.epoch).toBe(2);
    const late = klp.send(
      'TASK_RESULT',
      { task_id: req.payload.task_id, epoch: 1, status: 'succeeded', result: 'old' },
      key,
    );
    expect((await klp.replyTo(late.id)).payload).toMatchObject({ code: 'KOS_ERR_STALE_EPOCH' });
    expect((await getTask(running.admin, dag.subtasks[0]!.id)).state).toBe('leased');

    // The refused frame still advanced the receipt chain: its receipt is logged, so the audit can
    // rebuild the chain past it and attribute the result that follows.
    const done = klp.send(
      'TASK_RESULT',
      { task_id: req.payload.task_id, epoch: 2, status: 'succeeded', result: 'new' },
      key,
    );
    expect((await klp.replyTo(done.id)).type).toBe('ack');
    klp.send('heartbeat', { in_flight: [] }, key);
    const agentId = (
      await running.admin.get<{ agents: { id: string; name: string }[] }>('/orchestration/agents')
    ).body.agents.find((a) => a.name === 'giver')!.id;
    const log = await poll(async () => {
      const l = (await running.admin.get<ReceiptLog>(`/orchestration/audit/receipts?agent_id=${agentId}`))
        .body;
      return l.heads.length > 0 ? l : undefined;
    });
    expect(log.results.map((r) => r.result)).toEqual(['old', 'new']);
    const verdict = verifyReceipts(log);
    expect(verdict.unattributed).toEqual([]);
    expect(verdict.attributed).toHaveLength(2);
    klp.close();
  });

  it('answers capability queries and snapshots, and leaves cleanly on disconnect', async () => {
    const { klp, key, agentId } = await connected('leaver', ['lv', 'other']);
    const q = klp.send('CAPABILITY_QUERY', { skills: ['lv'] }, key);
    const answer = (await klp.replyTo(q.id)) as Envelope<'CAPABILITY_QUERY'>;
    expect('agents' in answer.payload && answer.payload.agents.map((a) => a.name)).toEqual(['leaver']);
    const snap = klp.send('snapshot', {}, key);
    expect((await klp.replyTo(snap.id)).payload).toMatchObject({
      agent_id: agentId,
      state: 'active',
      leases: [],
    });
    const bye = klp.send('disconnect', { reason: 'done' }, key);
    expect((await klp.replyTo(bye.id)).type).toBe('ack');
    expect((await klp.closed).code).toBe(1000);
    const agent = await running.admin.get<{ agent: { state: string } }>(`/orchestration/agents/${agentId}`);
    expect(agent.body.agent.state).toBe('unregistered');
  });

  it('survives a stream of random and mutated frames without crashing or changing state', async () => {
    const { klp, key } = await connected('fuzzed', ['fz']);
    const valid = klp.build('heartbeat', { in_flight: [] });
    const before = await domainState();
    const frames = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.json({ maxDepth: 4 }),
        fc
          .record({
            v: fc.constant(1),
            type: fc.constantFrom('TASK_RESULT', 'hello', 'heartbeat', 'nope'),
            id: fc.uuid(),
          })
          .map((o) => JSON.stringify({ ...valid, ...o, seq: 0 })),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
      ),
      { numRuns: 300, seed: 42 },
    );
    for (const f of frames) klp.sendRaw(f);
    // The session answers each bad frame and stays usable; the server stays healthy.
    const ping = klp.send('ping', {}, key);
    expect((await klp.replyTo(ping.id)).type).toBe('pong');
    expect((await running.admin.as(undefined).get('/healthz')).status).toBe(200);
    expect(await domainState()).toEqual(before);
    klp.close();
  });
});
