// The SDK against a scripted orchestrator over a real WebSocket (test-peer.ts): handshake,
// failover, limits, rollback, heartbeats, reconnect and drain. Results and their refusals are in
// results.wire.test.ts; the same flows against the real orchestrator in agent.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import { generateKey } from '@kos/protocol/node';
import type { Payloads } from '@kos/protocol';
import { poll } from '@kos/testing';
import { Agent } from './agent.ts';
import { deferred, memoryLogger, taskRequest, TestPeer } from './test-peer.ts';
import { wireAgents } from './wire-agent.ts';

const key = generateKey();
const { setup, later } = wireAgents({
  key,
  skills: ['collect', 'other'],
  reconnect: { baseDelayMs: 1, maxDelayMs: 5 },
});

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
    later(() => peer.close());
    const agent = await Agent.create({
      orchestrator: [deadUrl, peer.url],
      name: 'peer',
      skills: ['collect'],
      key,
      logger: memoryLogger(),
      handleSignals: false,
      reconnect: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    later(() => agent.stop());
    await agent.start();
    expect(peer.connections).toHaveLength(1);
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
