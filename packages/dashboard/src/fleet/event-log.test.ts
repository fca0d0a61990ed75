import { describe, expect, it } from 'vitest';
import type { WireEvent } from '@kos/contracts';
import { emptyLog, pause, receive, resume } from './event-log.ts';

const ev = (seq: number): WireEvent => ({
  seq,
  at: '2024-01-01T00:00:00.000Z',
  kind: 'task.state',
  goal_id: null,
  task_id: null,
  agent_id: null,
  actor: 'system',
  data: {},
});
const seqs = (events: readonly WireEvent[]) => events.map((e) => e.seq);

describe('the event log', () => {
  it('shows events newest first', () => {
    const log = receive(receive(emptyLog(), [ev(1), ev(2)]), [ev(3)]);
    expect(seqs(log.shown)).toEqual([3, 2, 1]);
  });

  it('drops an event it already holds (a backfill overlapping the stream)', () => {
    const log = receive(receive(emptyLog(), [ev(1), ev(2), ev(3)]), [ev(2), ev(3), ev(4)]);
    expect(seqs(log.shown)).toEqual([4, 3, 2, 1]);
    expect(log.received).toBe(4);
  });

  it('keeps only the newest events within its limit and counts those let go', () => {
    const log = receive(emptyLog(3), [ev(1), ev(2), ev(3), ev(4), ev(5)]);
    expect(seqs(log.shown)).toEqual([5, 4, 3]);
    expect(log.dropped).toBe(2);
  });

  it('holds events while paused, shows none of them, and shows them all on resume', () => {
    let log = pause(receive(emptyLog(), [ev(1)]));
    log = receive(log, [ev(2), ev(3)]);
    expect(seqs(log.shown)).toEqual([1]);
    expect(seqs(log.held)).toEqual([2, 3]);
    log = resume(log);
    expect(seqs(log.shown)).toEqual([3, 2, 1]);
    expect(log.held).toEqual([]);
    expect(log.paused).toBe(false);
  });

  it('bounds what it holds while paused too', () => {
    let log = pause(emptyLog(2));
    log = receive(log, [ev(1), ev(2), ev(3)]);
    expect(seqs(log.held)).toEqual([2, 3]);
    expect(log.dropped).toBe(1);
    expect(seqs(resume(log).shown)).toEqual([3, 2]);
  });
});
