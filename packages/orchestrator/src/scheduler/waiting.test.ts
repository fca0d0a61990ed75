import { describe, expect, it } from 'vitest';
import { defaultTaskPolicy } from './policy.ts';
import type { Task, TaskState, TaskWaiting } from './task.ts';
import { nextWaiting, waitingCounts, waitingReason } from './waiting.ts';

const held: TaskWaiting = { code: 'missing_skills', message: 'no active agent has skill gpu', since: 10 };

describe('nextWaiting', () => {
  it('writes a held-back reason only when it differs from the one stored, keeping its first time', () => {
    expect(nextWaiting(null, held, 20)).toEqual({ ...held, since: 20 });
    expect(nextWaiting(held, { code: held.code, message: held.message }, 20)).toBeUndefined();
    expect(
      nextWaiting(held, { code: 'missing_skills', message: 'no active agent has skills a, b' }, 20),
    ).toEqual({ code: 'missing_skills', message: 'no active agent has skills a, b', since: 20 });
    expect(nextWaiting(held, { code: 'goal_limit', message: 'goal g at its limit' }, 20)).toMatchObject({
      code: 'goal_limit',
      since: 20,
    });
  });

  it('stores no reason for a task that only waits for a busy agent, and leaves one the round did not reach', () => {
    const queued = { code: 'queued', message: 'no capable agent with a free slot: 2 at capacity' } as const;
    expect(nextWaiting(held, queued, 20)).toBeNull();
    expect(nextWaiting(null, queued, 20)).toBeUndefined();
    const notReached = {
      code: 'not_reached',
      message: 'no agent has a free slot left in this round',
    } as const;
    expect(nextWaiting(held, notReached, 20)).toBeUndefined();
    expect(nextWaiting(null, notReached, 20)).toBeUndefined();
  });
});

describe('waitingReason', () => {
  const policy = defaultTaskPolicy({
    maxAttempts: 3,
    delayStrategy: 'fixed',
    baseDelayMs: 1,
    maxDelayMs: 1,
    jitter: false,
  });
  const of = (state: TaskState, over: Partial<Task> = {}) =>
    waitingReason({ state, waiting: null, pendingDeps: 0, policy, ...over });

  it('shows the stored reason of a ready task, or that it waits its turn for a slot', () => {
    expect(of('ready', { waiting: held })).toEqual(held);
    expect(of('ready')).toEqual({
      code: 'queued',
      message: 'waiting in the ready queue for a free agent slot',
      since: null,
    });
  });

  it('says why the other waiting states wait, and gives none for a task that does not wait', () => {
    expect(of('pending', { pendingDeps: 2 })).toMatchObject({
      code: 'dependencies',
      message: 'waiting for 2 dependencies to succeed',
    });
    expect(of('pending', { pendingDeps: 1, policy: { ...policy, runWhen: 'failed' } })).toMatchObject({
      code: 'dependencies',
      message: 'an on_failure branch: runs only if a dependency dies',
    });
    expect(of('awaiting_approval')?.code).toBe('approval');
    expect(of('retrying')?.code).toBe('backoff');
    for (const state of ['leased', 'running', 'cancelling', 'succeeded', 'dead', 'cancelled'] as const) {
      expect(of(state, { waiting: held })).toBeNull();
    }
  });
});

describe('waitingCounts', () => {
  it('counts waiting tasks by reason: ready ones by their stored reason, the rest by state', () => {
    expect(
      waitingCounts(
        { ready: 5, pending: 2, retrying: 1, leased: 4, succeeded: 9 },
        { missing_skills: 1, goal_limit: 2 },
      ),
    ).toEqual({ queued: 2, missing_skills: 1, goal_limit: 2, dependencies: 2, backoff: 1 });
    // Counts read a round apart never make `queued` negative.
    expect(waitingCounts({ ready: 1 }, { goal_limit: 2 })).toEqual({ goal_limit: 2 });
  });
});
