// Results and their refusals, against a scripted orchestrator over a real WebSocket (test-peer.ts):
// what the SDK reports for a handler's output or error, and what it does with the answer.
import { describe, expect, it } from 'vitest';
import { poll } from '@kos/testing';
import { TaskFailure } from './failure.ts';
import { deferred, taskRequest } from './test-peer.ts';
import { wireAgents } from './wire-agent.ts';

const { setup } = wireAgents({ skills: ['collect', 'other'], reconnect: { baseDelayMs: 1, maxDelayMs: 5 } });

describe('results over KLP', () => {
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

  it.each([
    { frame: 'STATUS_UPDATE', checkpoint: { page: 1 } },
    { frame: 'pulse', checkpoint: undefined },
  ] as const)(
    'aborts the handler when its progress ($frame) is refused because the lease moved on',
    async ({ frame: type, checkpoint }) => {
      const { peer, agent } = await setup({
        onFrame: (frame, conn) => {
          if (frame.type === type) conn.error(frame, 'KOS_ERR_STALE_EPOCH', 'epoch 1 was replaced by 2');
        },
      });
      const aborted = deferred<unknown>();
      agent.handle('collect', async (_task, ctx) => {
        ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
        await ctx.progress(10, 'started', checkpoint);
        return new Promise(() => {});
      });
      await agent.start();
      peer.last.send('TASK_REQUEST', taskRequest({ task_id: 't1' }));
      expect(String(await aborted.promise)).toContain('KOS_ERR_STALE_EPOCH');
      expect(peer.framesOf(type)[0]?.payload).toMatchObject({ task_id: 't1', epoch: 1, progress: 10 });
      expect(peer.framesOf('TASK_RESULT')).toEqual([]);
      expect(peer.violations).toEqual([]);
    },
  );
});
