import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { event } from '../../records.fixture.ts';
import type { EventRecord } from '../../store/records.ts';
import { BoundedSink, matches, ResumeCursor, sseMessage } from './stream.ts';

const at = (seq: number, over: Partial<EventRecord> = {}): EventRecord => ({ ...event(over), seq });
const seqs = (es: readonly EventRecord[]) => es.map((e) => e.seq);

describe('ResumeCursor', () => {
  it('sends the backlog after Last-Event-ID, then the live events held meanwhile, each once and in order', () => {
    const c = new ResumeCursor(2);
    // Live events arrive while the backlog is read; 4 and 5 are in both.
    expect(c.live(at(4))).toEqual([]);
    expect(c.live(at(5))).toEqual([]);
    expect(c.live(at(6))).toEqual([]);
    expect(seqs(c.backlog([at(3), at(4), at(5)]))).toEqual([3, 4, 5]);
    expect(c.position).toBe(5);
    expect(seqs(c.caughtUp())).toEqual([6]);
    expect(seqs(c.live(at(7)))).toEqual([7]);
    expect(c.live(at(7))).toEqual([]);
  });

  it('without Last-Event-ID passes live events straight through', () => {
    const c = new ResumeCursor(null);
    expect(seqs(c.live(at(10)))).toEqual([10]);
    expect(seqs(c.live(at(11)))).toEqual([11]);
  });

  it('skips what the client already has', () => {
    const c = new ResumeCursor(9);
    expect(c.backlog([at(8), at(9)])).toEqual([]);
    expect(seqs(c.caughtUp())).toEqual([]);
    expect(seqs(c.live(at(10)))).toEqual([10]);
  });
});

describe('matches and sseMessage', () => {
  it('narrows by goal, task, agent and kind', () => {
    const e = at(1, { goalId: 'g', taskId: 't', agentId: 'a', kind: 'task.state' });
    expect(matches({}, e)).toBe(true);
    expect(matches({ goalId: 'g', kinds: ['task.state', 'goal.state'] }, e)).toBe(true);
    expect(matches({ goalId: 'other' }, e)).toBe(false);
    expect(matches({ taskId: 'other' }, e)).toBe(false);
    expect(matches({ agentId: 'other' }, e)).toBe(false);
    expect(matches({ kinds: ['goal.state'] }, e)).toBe(false);
  });

  it('gives the seq as the SSE id and the event view as data', () => {
    const text = sseMessage(at(42, { kind: 'goal.state', goalId: 'g' }));
    expect(text.startsWith('id: 42\nevent: goal.state\ndata: ')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(true);
    const data = JSON.parse(text.split('\n')[2]!.slice('data: '.length)) as { seq: number; goal_id: string };
    expect(data).toMatchObject({ seq: 42, goal_id: 'g' });
  });
});

describe('BoundedSink', () => {
  it('drops a client whose socket stops taking data once its buffer passes the bound', () => {
    // A real Writable that never finishes a write: everything written stays buffered.
    const stuck = new Writable({ highWaterMark: 16, write: () => undefined });
    let drops = 0;
    const sink = new BoundedSink(stuck, 1024, () => drops++);
    for (let i = 0; i < 10; i++) sink.write('x'.repeat(100));
    expect(sink.open).toBe(true);
    sink.write('x'.repeat(100));
    expect(sink.open).toBe(false);
    expect(stuck.destroyed).toBe(true);
    sink.write('more');
    expect(drops).toBe(1);
  });

  it('keeps a client that takes what it is sent', () => {
    const chunks: string[] = [];
    const fine = new Writable({
      write: (c: Buffer, _e, done) => {
        chunks.push(c.toString());
        done();
      },
    });
    const sink = new BoundedSink(fine, 1024, () => undefined);
    for (let i = 0; i < 100; i++) sink.write('x'.repeat(100));
    expect(sink.open).toBe(true);
    expect(chunks.join('').length).toBe(10_000);
  });
});
