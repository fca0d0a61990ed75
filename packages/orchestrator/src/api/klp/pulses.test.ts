import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { envelope, type Envelope } from '@kos/protocol';
import { PulseThrottle } from './pulses.ts';

let seq = 0;
const pulse = (epoch: number, progress: number): Envelope<'pulse'> =>
  envelope('pulse', {
    from: 'kai://agent.a',
    to: 'kai://orchestrator',
    seq: ++seq,
    payload: { task_id: 't1', epoch, progress },
  });

describe('PulseThrottle', () => {
  const written: string[] = [];
  const throttle = new PulseThrottle(1_000, (p) => written.push(`${p.payload.epoch}:${p.payload.progress}`));
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    throttle.clear();
    written.length = 0;
    vi.useRealTimers();
  });

  it('writes the first pulse of a lease at once and only the newest of a burst when the interval ends', () => {
    for (const p of [10, 20, 30, 40]) throttle.offer(pulse(1, p));
    expect(written).toEqual(['1:10']);
    vi.advanceTimersByTime(1_000);
    expect(written).toEqual(['1:10', '1:40']);
    vi.advanceTimersByTime(1_000);
    expect(written).toEqual(['1:10', '1:40']);
    throttle.offer(pulse(1, 50));
    expect(written).toEqual(['1:10', '1:40', '1:50']);
  });

  it('writes a pulse of another epoch at once, keeping the pending one of the current epoch', () => {
    throttle.offer(pulse(1, 10));
    throttle.offer(pulse(1, 20));
    throttle.offer(pulse(7, 90));
    throttle.refused(pulse(7, 90));
    expect(written).toEqual(['1:10', '7:90']);
    vi.advanceTimersByTime(1_000);
    expect(written).toEqual(['1:10', '7:90', '1:20']);
  });

  it('writes the next pulse of a refused lease at once and drops pending pulses when cleared', () => {
    throttle.offer(pulse(1, 10));
    throttle.refused(pulse(1, 10));
    throttle.offer(pulse(1, 20));
    throttle.offer(pulse(1, 30));
    throttle.clear();
    vi.advanceTimersByTime(1_000);
    expect(written).toEqual(['1:10', '1:20']);
  });
});
