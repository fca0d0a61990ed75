import { describe, expect, it } from 'vitest';
import { decideOnReply } from './result-reply.ts';

const succeeded = { task_id: 't', epoch: 1, status: 'succeeded' as const, result: 1 };
const refused = (code: string) => ({ ok: false as const, reason: 'error' as const, code, message: 'no' });

describe('what the agent does with the answer to a result', () => {
  it('keeps a result the connection lost and sends one left unanswered again', () => {
    expect(decideOnReply({ ok: false, reason: 'closed', message: '' }, succeeded).action).toBe('keep');
    expect(
      decideOnReply({ ok: false, reason: 'timeout', message: '' }, succeeded, { sent: 1, random: 0.5 }),
    ).toMatchObject({ action: 'retry', afterMs: 100 });
  });

  it('stops a cancelled task and forgets one whose lease is gone', () => {
    expect(decideOnReply(refused('KOS_ERR_TASK_CANCELLED'), succeeded).action).toBe('stop');
    expect(decideOnReply(refused('KOS_ERR_STALE_EPOCH'), succeeded).action).toBe('forget');
  });

  it('sends again, later each time, a result the orchestrator could not store yet', () => {
    const waits = [0, 1, 2, 3, 10].map((sent) => {
      const d = decideOnReply(refused('KOS_ERR_STORE_UNAVAILABLE'), succeeded, { sent, random: 0.999 });
      return d.action === 'retry' ? d.afterMs : -1;
    });
    expect(waits).toEqual([100, 200, 400, 799, 4995]);
    const spread = decideOnReply(refused('KOS_ERR_NOT_READY'), succeeded, { sent: 3, random: 0.25 });
    expect(spread).toMatchObject({ action: 'retry', afterMs: 200 });
    // A refusal for any other reason is not retried.
    expect(decideOnReply(refused('KOS_ERR_INTERNAL'), succeeded).action).toBe('forget');
  });

  it('fails the attempt for good when the result itself was refused, retryably for a refused hand-off', () => {
    expect(decideOnReply(refused('KOS_ERR_FRAME_TOO_LARGE'), succeeded)).toMatchObject({
      action: 'fail',
      error: { code: 'result_rejected', retryable: false },
    });
    const handOff = { task_id: 't', epoch: 1, status: 'declined' as const, reason: 'busy' };
    expect(decideOnReply(refused('KOS_ERR_DELEGATION_LOOP'), handOff)).toMatchObject({
      action: 'fail',
      error: { code: 'handoff_refused', retryable: true },
    });
  });
});
