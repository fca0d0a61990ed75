// The SDK against a scripted orchestrator over a real WebSocket (test-peer.ts): handshake,
// framing, results, progress, limits, rollback, reconnect and drain. The same flows against
// the real orchestrator are in agent.e2e.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { generateKey } from '@kos/protocol';
import type { Payloads } from '@kos/protocol';
import { poll } from '@kos/testing';
import { Agent } from './agent.ts';
import { TaskFailure } from './failure.ts';
import type { AgentOptions } from './options.ts';
import { deferred, memoryLogger, taskRequest, TestPeer } from './test-peer.ts';
import type { PeerOptions } from './test-peer.ts';

const key = generateKey();
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(peerOptions: PeerOptions = {}, options: Partial<AgentOptions> = {}) {
  const peer = await TestPeer.start(peerOptions);
  const logger = memoryLogger();
  const agent = await Agent.create({
    orchestrator: peer.url,
    name: 'peer',
    skills: ['collect', 'other'],
    key,
    token: 'tok',
    logger,
    handleSignals: false,
    reconnect: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  cleanups.push(
    () => peer.close(),
    () => agent.stop(),
  );
  return { peer, agent, logger };
}

function welcome(hello: Payloads['hello']): Payloads['welcome'] {
  const resumed = hello.in_flight.map((l) => l.task_id);
  return { agent_id: 'a', heartbeat_interval_ms: 60_000, lease_ttl_ms: 30_000, resumed, abandon: [] };
}

describe('Agent over KLP', () => {
  it('answers the challenge with a signed hello and resolves start() after welcome', async () => {
    const { peer, agent } = await setup({}, { maxParallel: 3 });
    agent.handle('collect', () => 1);
    await agent.start();
    expect(agent.status).toBe('running');
    expect(agent.connected).toBe(true);
    const [hello] = peer.framesOf('hello');
    expect(hello?.payload).toEqual({
      name: 'peer',
      public_key: key.publicKey,
      skills: ['collect', 'other'],
      max_parallel: 3,
      nonce: peer.last.nonce,
      token: 'tok',
      in_flight: [],
    });
    expect(hello?.from).toBe('kai://agent.peer');
    expect(peer.violations).toEqual([]);
  });

  it('rejects start() with the refusal code and does not retry an identity mismatch', async () => {
    const { peer, agent } = await setup({
      onHello: () => ({ code: 'KOS_ERR_IDENTITY_MISMATCH', message: 'name peer is bound to another key' }),
    });
    await expect(agent.start()).rejects.toMatchObject({ code: 'KOS_ERR_IDENTITY_MISMATCH' });
    expect(peer.connections).toHaveLength(1);
    expect(agent.status).toBe('stopped');
    await expect(agent.stopped).resolves.toMatchObject({ reason: 'fatal' });
  });

  it('fails over to the next URL when one does not answer', async () => {
    const dead = await TestPeer.start();
    const deadUrl = dead.url;
    await dead.close();
    const peer = await TestPeer.start();
    cleanups.push(() => peer.close());
    const agent = await Agent.create({
      orchestrator: [deadUrl, peer.url],
      name: 'peer',
      skills: ['collect'],
      key,
      logger: memoryLogger(),
      handleSignals: false,
      reconnect: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    cleanups.push(() => agent.stop());
    await agent.start();
    expect(peer.connections).toHaveLength(1);
  });

  it('runs the handler and reports its output, progress and checkpoint', async () => {
    const { peer, agent } = await setup();
    const seen: unknown[] = [];
    agent.handle('collect', async (task, ctx) => {
      seen.push(task.id, task.goalId, task.epoch, task.attempt, ctx.checkpoint, ctx.input);
      await ctx.progress(40, 'fetching', { page: 2 });
      return { rows: 7 };
    });
    await agent.start();
    peer.last.send(
      'TASK_REQUEST',
      taskRequest({ task_id: 't1', epoch: 3, attempt: 2, checkpoint: { page: 1 } }),
    );
    const result = await poll(() => peer.framesOf('TASK_RESULT')[0], { what: 'a result' });
    expect(result.payload).toEqual({ task_id: 't1', epoch: 3, status: 'succeeded', result: { rows: 7 } });
    expect(result.task_id).toBe('t1');
    expect(peer.framesOf('STATUS_UPDATE')[0]?.payload).toEqual({
      task_id: 't1',
      epoch: 3,
      progress: 40,
      message: 'fetching',
      checkpoint: { page: 2 },
    });
    expect(seen).toEqual(['t1', 'g1', 3, 2, { page: 1 }, { n: 1 }]);
    expect(peer.violations).toEqual([]);
  });

  it('reports TaskFailure with its retry flag, other errors as retryable, and unknown skills as no_handler', async () => {
    const { peer, agent } = await setup();
    agent.handle('collect', (task) => {
      if (task.id === 'fatal') throw TaskFailure.nonRetryable('bad input', { code: 'bad_input' });
      throw new Error('flaky upstream');
    });
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 'fatal' }));
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 'crash' }));
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 'nope', skills: ['painting'] }));
    const results = await poll(
      () => peer.framesOf('TASK_RESULT').length === 3 && peer.framesOf('TASK_RESULT'),
    );
    const byId = Object.fromEntries(
      results.map((r) => [r.payload.task_id, 'error' in r.payload ? r.payload.error : undefined]),
    );
    expect(byId).toEqual({
      fatal: { code: 'bad_input', message: 'bad input', retryable: false },
      crash: { code: 'handler_error', message: 'flaky upstream', retryable: true },
      nope: { code: 'no_handler', message: 'agent has no handler for painting', retryable: false },
    });
  });

  it('uses the first skill of the task that has a handler', async () => {
    const { peer, agent } = await setup();
    agent.handle('collect', () => 'collect').handle('other', () => 'other');
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't', skills: ['painting', 'other', 'collect'] }));
    const result = await poll(() => peer.framesOf('TASK_RESULT')[0]);
    expect(result.payload).toMatchObject({ status: 'succeeded', result: 'other' });
  });

  it('never runs more than maxParallel handlers and queues the rest', async () => {
    const { peer, agent } = await setup({}, { maxParallel: 2 });
    const gates = new Map<string, { resolve: () => void }>();
    let running = 0;
    let peak = 0;
    agent.handle('collect', async (task) => {
      running++;
      peak = Math.max(peak, running);
      const gate = deferred();
      gates.set(task.id, { resolve: () => gate.resolve() });
      await gate.promise;
      running--;
      return task.id;
    });
    await agent.start();
    for (const id of ['a', 'b', 'c']) peer.last.send('TASK_REQUEST', taskRequest({ task_id: id }));
    await poll(() => gates.size === 2);
    expect([...gates.keys()]).toEqual(['a', 'b']);
    gates.get('a')!.resolve();
    await poll(() => gates.has('c'));
    gates.get('b')!.resolve();
    gates.get('c')!.resolve();
    await poll(() => peer.framesOf('TASK_RESULT').length === 3);
    expect(peak).toBe(2);
  });

  it('aborts the handler on rollback and sends no result', async () => {
    const { peer, agent } = await setup();
    const aborted = deferred<unknown>();
    const started = deferred();
    agent.handle('collect', (_task, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
      started.resolve();
      return new Promise(() => {});
    });
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1', epoch: 2 }));
    await started.promise;
    peer.last.send('rollback', { task_id: 't1', epoch: 2, reason: 'goal cancelled' });
    expect(String(await aborted.promise)).toContain('goal cancelled');
    peer.last.send('ping', {});
    await poll(() => peer.framesOf('pong')[0]);
    expect(peer.framesOf('TASK_RESULT')).toEqual([]);
  });

  it('drops a result refused with KOS_ERR_STALE_EPOCH and stops listing its lease', async () => {
    const { peer, agent, logger } = await setup(
      {
        onFrame: (frame, conn) => {
          if (frame.type === 'TASK_RESULT')
            conn.error(frame, 'KOS_ERR_STALE_EPOCH', 'epoch 1 was replaced by 2');
        },
      },
      { heartbeatIntervalMs: 10 },
    );
    agent.handle('collect', () => 'late');
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1' }));
    await poll(() => logger.lines.find((l) => l.msg.includes('lease is no longer ours')));
    const before = peer.framesOf('heartbeat').length;
    const hb = await poll(() => peer.framesOf('heartbeat')[before]);
    expect(hb.payload.in_flight).toEqual([]);
    expect(peer.framesOf('TASK_RESULT')).toHaveLength(1);
  });

  it('sends a result again when the orchestrator could not store it, keeping the lease listed meanwhile', async () => {
    let refusals = 2;
    const { peer, agent, logger } = await setup(
      {
        onFrame: (frame, conn) => {
          if (frame.type === 'TASK_RESULT' && refusals-- > 0)
            conn.error(frame, 'KOS_ERR_STORE_UNAVAILABLE', 'the store is too contended; retry it');
        },
      },
      { heartbeatIntervalMs: 10 },
    );
    let runs = 0;
    agent.handle('collect', () => ++runs);
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1' }));
    const hb = await poll(() =>
      peer.framesOf('heartbeat').find((f) => f.payload.in_flight.some((l) => l.task_id === 't1')),
    );
    expect(hb.payload.in_flight).toEqual([{ task_id: 't1', epoch: 1 }]);
    await poll(() => logger.lines.find((l) => l.msg === 'result delivered'));
    expect(peer.framesOf('TASK_RESULT').map((f) => f.payload)).toEqual(
      Array.from({ length: 3 }, () => ({ task_id: 't1', epoch: 1, status: 'succeeded', result: 1 })),
    );
    expect(runs).toBe(1);
    const before = peer.framesOf('heartbeat').length;
    expect((await poll(() => peer.framesOf('heartbeat')[before])).payload.in_flight).toEqual([]);
  });

  it('sends a result again when its acknowledgement does not come in time', async () => {
    let unanswered = 1;
    const { peer, agent, logger } = await setup(
      {
        onFrame: (frame, conn) => {
          if (frame.type === 'TASK_RESULT' && unanswered-- > 0) conn.ignore(frame);
        },
      },
      { replyTimeoutMs: 50 },
    );
    let runs = 0;
    agent.handle('collect', () => ++runs);
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1' }));
    await poll(() => logger.lines.find((l) => l.msg === 'result delivered'));
    expect(peer.framesOf('TASK_RESULT')).toHaveLength(2);
    expect(logger.lines.some((l) => l.msg.startsWith('no acknowledgement for a result'))).toBe(true);
    expect(runs).toBe(1);
  });

  it('aborts the handler when a status update is refused because the lease moved on', async () => {
    const { peer, agent } = await setup({
      onFrame: (frame, conn) => {
        if (frame.type === 'STATUS_UPDATE')
          conn.error(frame, 'KOS_ERR_STALE_EPOCH', 'epoch 1 was replaced by 2');
      },
    });
    const aborted = deferred<unknown>();
    agent.handle('collect', async (_task, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
      await ctx.progress(10);
      return new Promise(() => {});
    });
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1' }));
    expect(String(await aborted.promise)).toContain('KOS_ERR_STALE_EPOCH');
    expect(peer.framesOf('TASK_RESULT')).toEqual([]);
  });

  it('sends signed heartbeats listing the leases held and their progress', async () => {
    const { peer, agent } = await setup({}, { heartbeatIntervalMs: 10 });
    const gate = deferred();
    agent.handle('collect', async (_task, ctx) => {
      await ctx.progress(25);
      await gate.promise;
      return null;
    });
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1', epoch: 4 }));
    const hb = await poll(() => peer.framesOf('heartbeat').find((h) => h.payload.in_flight.length > 0));
    expect(hb.payload.in_flight).toEqual([{ task_id: 't1', epoch: 4, progress: 25 }]);
    expect(typeof hb.payload.last_progress_at).toBe('number');
    expect(hb.auth?.sig).toBeDefined();
    gate.resolve();
    await poll(() => peer.framesOf('TASK_RESULT')[0]);
    expect(peer.violations).toEqual([]);
  });

  it('reconnects, resumes the lease it held and delivers the result finished while disconnected', async () => {
    // The second hello is left unanswered until the handler has finished offline.
    const { peer, agent } = await setup({
      onHello: (hello, conn) => (conn.index === 0 ? welcome(hello) : undefined),
    });
    const gate = deferred();
    const started = deferred();
    let finished = false;
    agent.handle('collect', async (_task, ctx) => {
      started.resolve();
      await gate.promise;
      await ctx.progress(90, 'almost', { step: 9 });
      finished = true;
      return 'done';
    });
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1', epoch: 5 }));
    await started.promise;
    peer.last.ws.terminate();
    const hello = await poll(() => peer.framesOf('hello')[1]);
    expect(agent.connected).toBe(false);
    expect(hello.payload.in_flight).toEqual([{ task_id: 't1', epoch: 5 }]);
    gate.resolve();
    await poll(() => finished);
    expect(peer.framesOf('TASK_RESULT')).toEqual([]);
    peer.last.send('welcome', welcome(hello.payload), { reply_to: hello.id });
    const result = await poll(() => peer.framesOf('TASK_RESULT')[0]);
    expect(result.payload).toEqual({ task_id: 't1', epoch: 5, status: 'succeeded', result: 'done' });
    expect(peer.framesOf('STATUS_UPDATE')[0]?.payload).toEqual({
      task_id: 't1',
      epoch: 5,
      progress: 90,
      message: 'almost',
      checkpoint: { step: 9 },
    });
    expect(peer.violations).toEqual([]);
  });

  it('drops a task the orchestrator abandons after a reconnect and aborts its handler', async () => {
    const { peer, agent } = await setup({
      onHello: (hello) => ({
        agent_id: 'a',
        heartbeat_interval_ms: 60_000,
        lease_ttl_ms: 30_000,
        resumed: [],
        abandon: hello.in_flight.map((l) => l.task_id),
      }),
    });
    const aborted = deferred();
    const started = deferred();
    agent.handle('collect', (_task, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve());
      started.resolve();
      return new Promise(() => {});
    });
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1' }));
    await started.promise;
    peer.last.ws.terminate();
    await aborted.promise;
    expect(peer.framesOf('hello')[1]?.payload.in_flight).toEqual([{ task_id: 't1', epoch: 1 }]);
    expect(peer.framesOf('TASK_RESULT')).toEqual([]);
  });

  it('drains: hands over, finishes the task in flight, then disconnects with a signed frame', async () => {
    const { peer, agent } = await setup();
    const gate = deferred();
    const started = deferred();
    agent.handle('collect', async () => {
      started.resolve();
      await gate.promise;
      return 'finished';
    });
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1' }));
    await started.promise;
    const draining = agent.drain();
    expect(agent.status).toBe('draining');
    await poll(() => peer.framesOf('handover')[0]);
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't2' }));
    const handedBack = await poll(() => peer.framesOf('rollback')[0]);
    expect(handedBack.payload).toMatchObject({ task_id: 't2', reason: 'agent is draining' });
    gate.resolve();
    await draining;
    expect(agent.status).toBe('stopped');
    await expect(agent.stopped).resolves.toEqual({ reason: 'drained' });
    const types = peer.frames.map((f) => f.type);
    expect(types.slice(-2)).toEqual(['TASK_RESULT', 'disconnect']);
    expect(peer.framesOf('handover')[0]?.payload).toEqual({ mode: 'finish' });
    expect(peer.violations).toEqual([]);
  });

  it('stops at once: aborts handlers and says goodbye', async () => {
    const { peer, agent } = await setup();
    const aborted = deferred();
    const started = deferred();
    agent.handle('collect', (_task, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve());
      started.resolve();
      return new Promise(() => {});
    });
    await agent.start();
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1' }));
    await started.promise;
    await agent.stop();
    await aborted.promise;
    expect(peer.frames.at(-1)?.type).toBe('disconnect');
    expect(peer.framesOf('TASK_RESULT')).toEqual([]);
  });

  it('drains on the first SIGTERM and stops on the second', async () => {
    const listenersBefore = process.listenerCount('SIGTERM');
    const { agent } = await setup({}, { handleSignals: true });
    const gate = deferred();
    agent.handle('collect', () => gate.promise);
    await agent.start();
    process.emit('SIGTERM');
    expect(agent.status).toBe('draining');
    process.emit('SIGTERM');
    await agent.stopped;
    expect(agent.status).toBe('stopped');
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
  });

  it('answers queryCapabilities with the orchestrator answer', async () => {
    const { agent } = await setup({
      onFrame: (frame, conn) => {
        if (frame.type === 'CAPABILITY_QUERY') {
          conn.send(
            'CAPABILITY_QUERY',
            { agents: [{ name: 'peer', skills: ['collect'], state: 'active', free_slots: 1 }] },
            { reply_to: frame.id },
          );
        }
      },
    });
    await agent.start();
    await expect(agent.queryCapabilities(['collect'])).resolves.toEqual([
      { name: 'peer', skills: ['collect'], state: 'active', free_slots: 1 },
    ]);
  });
});
