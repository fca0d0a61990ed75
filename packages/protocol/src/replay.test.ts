import { describe, expect, it } from 'vitest';
import type { Envelope } from './envelope.ts';
import { envelope } from './envelope.ts';
import { ORCHESTRATOR_ADDRESS, agentAddress } from './kai.ts';
import { ReplayGuard } from './replay.ts';

const T0 = 1_795_309_504_210;
const frame = (seq: number, ts: number, id = `f${seq}`): Envelope =>
  envelope('ping', { id, from: agentAddress('a'), to: ORCHESTRATOR_ADDRESS, seq, now: ts, payload: {} });

describe('ReplayGuard', () => {
  it('accepts frames with increasing seq, fresh ids and ts within the window', () => {
    const guard = new ReplayGuard();
    expect(guard.check(frame(1, T0), T0)).toEqual({ ok: true });
    expect(guard.check(frame(2, T0 - 60_000), T0)).toEqual({ ok: true });
    expect(guard.check(frame(5, T0 + 60_000), T0)).toEqual({ ok: true });
    expect(guard.lastAcceptedSeq).toBe(5);
  });

  it('refuses a replayed frame, a repeated id and a seq that did not increase, with reasons', () => {
    const guard = new ReplayGuard();
    const first = frame(1, T0);
    expect(guard.check(first, T0).ok).toBe(true);
    expect(guard.check(first, T0 + 10)).toMatchObject({ ok: false, code: 'KOS_ERR_REPLAY', kind: 'id' });
    expect(guard.check(frame(2, T0, first.id), T0)).toMatchObject({
      ok: false,
      kind: 'id',
      reason: expect.stringMatching(/f1 was already accepted/),
    });
    expect(guard.check(frame(1, T0, 'other'), T0)).toMatchObject({
      ok: false,
      kind: 'seq',
      reason: 'seq 1 is not above the last accepted seq 1',
    });
  });

  it('refuses a ts too far in the past or the future', () => {
    const guard = new ReplayGuard({ windowMs: 1000 });
    expect(guard.check(frame(1, T0 - 1001), T0)).toMatchObject({
      ok: false,
      kind: 'ts_past',
      reason: expect.stringMatching(/1001 ms behind/),
    });
    expect(guard.check(frame(1, T0 + 1001), T0)).toMatchObject({
      ok: false,
      kind: 'ts_future',
      reason: expect.stringMatching(/1001 ms ahead/),
    });
  });

  it('is unchanged by a refused frame', () => {
    const guard = new ReplayGuard();
    expect(guard.check(frame(7, T0 + 120_000), T0).ok).toBe(false);
    expect(guard.lastAcceptedSeq).toBe(0);
    expect(guard.rememberedIds).toBe(0);
    expect(guard.check(frame(1, T0, 'f7'), T0).ok).toBe(true); // neither seq 7 nor id f7 was recorded
  });

  it('still refuses an id while its ts is inside the window, even if the sender clock ran ahead', () => {
    const guard = new ReplayGuard({ windowMs: 1000 });
    expect(guard.check(frame(1, T0 + 900, 'x'), T0).ok).toBe(true);
    // 1.8 s later the frame's ts is 900 ms in the past: still in the window, so the id must be known.
    expect(guard.check(frame(2, T0 + 900, 'x'), T0 + 1800)).toMatchObject({ ok: false, kind: 'id' });
  });

  it('keeps its memory bounded over 100,000 distinct frames', () => {
    const guard = new ReplayGuard({ windowMs: 60_000, maxIds: 10_000 });
    let maxRemembered = 0;
    let accepted = 0;
    for (let i = 1; i <= 100_000; i++) {
      const now = T0 + i; // 1 ms apart: all of them inside one window
      if (guard.check(frame(i, now), now).ok) accepted++;
      maxRemembered = Math.max(maxRemembered, guard.rememberedIds);
    }
    expect(accepted).toBe(100_000);
    expect(maxRemembered).toBe(10_000);
    // The id queue behind the set is compacted too (an internal, checked because it is the memory bound).
    expect((guard as unknown as { queue: unknown[] }).queue.length).toBeLessThanOrEqual(2 * 10_000 + 1024);
    // The most recent ids are the ones kept.
    expect(guard.check(frame(100_001, T0 + 100_000, 'f100000'), T0 + 100_000)).toMatchObject({ kind: 'id' });
  });

  it('forgets ids whose ts has left the window', () => {
    const guard = new ReplayGuard({ windowMs: 1000 });
    for (let i = 1; i <= 500; i++) guard.check(frame(i, T0 + i * 10), T0 + i * 10);
    expect(guard.rememberedIds).toBeLessThanOrEqual(101);
    expect(guard.rememberedIds).toBeGreaterThanOrEqual(100);
  });
});
