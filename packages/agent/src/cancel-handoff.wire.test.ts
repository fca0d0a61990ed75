// Cancellation acknowledgements and hand-offs (decline, delegate) against a scripted orchestrator
// over a real WebSocket (test-peer.ts). The same flows against the real orchestrator are in
// cancel-handoff.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import { poll } from '@kos/testing';
import { TaskHandoff } from './handoff.ts';
import type { TaskHandler } from './task.ts';
import { deferred, taskRequest } from './test-peer.ts';
import type { PeerOptions } from './test-peer.ts';
import { wireAgents } from './wire-agent.ts';

const { setup } = wireAgents();

async function started(handler: TaskHandler, peerOptions: PeerOptions = {}, maxParallel = 2) {
  const { peer, agent } = await setup(peerOptions, { maxParallel });
  agent.handle('collect', handler);
  await agent.start();
  return { peer, agent };
}

const ackBy = () => Date.now() + 5_000;

describe('cancellation acknowledgements', () => {
  it('aborts the handler’s signal and acknowledges only once the handler has settled, sending no result', async () => {
    const running = deferred();
    const aborted = deferred<unknown>();
    const gate = deferred();
    const { peer } = await started(async (_task, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
      running.resolve();
      await gate.promise;
      return 'finished anyway';
    });
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1', epoch: 4 }));
    await running.promise;
    peer.last.send('rollback', { task_id: 't1', epoch: 4, reason: 'cancelled by a user', ack_by: ackBy() });
    expect(String(await aborted.promise)).toContain('cancelled');
    // The handler is still running: no acknowledgement yet.
    expect(peer.framesOf('rollback')).toEqual([]);
    gate.resolve();
    const ack = await poll(() => peer.framesOf('rollback')[0]);
    expect(ack.payload).toMatchObject({ task_id: 't1', epoch: 4 });
    expect(peer.framesOf('TASK_RESULT')).toEqual([]);
    expect(peer.violations).toEqual([]);
  });

  it('acknowledges at once a cancelled task that was still queued, and one it does not hold', async () => {
    const gate = deferred();
    const calls: string[] = [];
    const { peer } = await started(
      async (task) => {
        calls.push(task.id);
        await gate.promise;
        return null;
      },
      {},
      1,
    );
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 'busy' }));
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 'queued' }));
    await poll(() => calls.length === 1);
    peer.last.send('rollback', { task_id: 'queued', epoch: 1, reason: 'cancelled', ack_by: ackBy() });
    peer.last.send('rollback', { task_id: 'unknown', epoch: 7, reason: 'cancelled', ack_by: ackBy() });
    const acks = await poll(() => peer.framesOf('rollback').length === 2 && peer.framesOf('rollback'));
    expect(acks.map((a) => [a.payload.task_id, a.payload.epoch]).sort()).toEqual([
      ['queued', 1],
      ['unknown', 7],
    ]);
    gate.resolve();
    await poll(() => peer.framesOf('TASK_RESULT').length === 1);
    // The queued task never ran.
    expect(calls).toEqual(['busy']);
  });

  it('acknowledges the stop when its result is refused because the task is being cancelled', async () => {
    const { peer } = await started(() => 'done', {
      onFrame: (frame, conn) => {
        if (frame.type === 'TASK_RESULT') conn.error(frame, 'KOS_ERR_TASK_CANCELLED', 'being cancelled');
      },
    });
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't2', epoch: 2 }));
    const ack = await poll(() => peer.framesOf('rollback')[0]);
    expect(ack.payload).toMatchObject({ task_id: 't2', epoch: 2 });
    expect(peer.framesOf('TASK_RESULT')).toHaveLength(1);
  });

  it('drops a task without acknowledging when its lease ended (a rollback without ack_by)', async () => {
    const running = deferred();
    const { peer } = await started(async (task, ctx) => {
      if (task.id !== 't3') return 'next';
      running.resolve();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return 'late';
    });
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't3' }));
    await running.promise;
    peer.last.send('rollback', { task_id: 't3', epoch: 1, reason: 'lease ended' });
    // A later task's result comes after anything the agent would have sent about t3.
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't4' }));
    const [result] = await poll(
      () => peer.framesOf('TASK_RESULT').length === 1 && peer.framesOf('TASK_RESULT'),
    );
    expect(result?.payload).toMatchObject({ task_id: 't4', status: 'succeeded', result: 'next' });
    expect(peer.framesOf('rollback')).toEqual([]);
  });
});

describe('hand-offs', () => {
  it('sends a decline and a delegation as TASK_RESULT hand-offs with their reasons', async () => {
    const { peer } = await started((task) => {
      if (task.id === 'd1') throw TaskHandoff.decline('no GPU here');
      throw TaskHandoff.delegate('needs EU residency', { to: 'analyst-eu' });
    });
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 'd1' }));
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 'd2', epoch: 3 }));
    const results = await poll(
      () => peer.framesOf('TASK_RESULT').length === 2 && peer.framesOf('TASK_RESULT'),
    );
    expect(results.map((r) => r.payload).sort((a, b) => a.task_id.localeCompare(b.task_id))).toEqual([
      { task_id: 'd1', epoch: 1, status: 'declined', reason: 'no GPU here' },
      { task_id: 'd2', epoch: 3, status: 'delegated', reason: 'needs EU residency', to: 'analyst-eu' },
    ]);
    expect(peer.violations).toEqual([]);
  });

  it('fails the attempt (retryably) when the orchestrator refuses the hand-off as a loop', async () => {
    const { peer } = await started(
      () => {
        throw TaskHandoff.delegate('back to you', { to: 'peer' });
      },
      {
        onFrame: (frame, conn) => {
          if (frame.type === 'TASK_RESULT' && frame.payload.status === 'delegated') {
            conn.error(frame, 'KOS_ERR_DELEGATION_LOOP', 'an agent cannot delegate a task to itself');
          }
        },
      },
    );
    peer.last.send('TASK_REQUEST', taskRequest({ task_id: 'loop' }));
    const results = await poll(
      () => peer.framesOf('TASK_RESULT').length === 2 && peer.framesOf('TASK_RESULT'),
    );
    expect(results[1]?.payload).toMatchObject({
      task_id: 'loop',
      status: 'failed',
      error: { code: 'handoff_refused', retryable: true },
    });
  });

  it('refuses a hand-off without a reason as a bad call of the handler', () => {
    expect(() => TaskHandoff.decline('  ')).toThrow(/needs a reason/);
    expect(() => TaskHandoff.delegate('why', { to: '' })).toThrow(/agent name/);
  });
});
