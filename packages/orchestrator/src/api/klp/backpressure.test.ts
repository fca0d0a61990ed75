import { describe, expect, it } from 'vitest';
import { FrameBackpressure } from './backpressure.ts';

describe('FrameBackpressure', () => {
  it('pauses the socket at max frames in flight and resumes it at half', async () => {
    const calls: string[] = [];
    const socket = { pause: () => calls.push('pause'), resume: () => calls.push('resume') };
    const bp = new FrameBackpressure(4, socket, () => calls.push('counted'));
    const done: (() => void)[] = [];
    const work = Array.from({ length: 4 }, () =>
      bp.track(new Promise<void>((resolve) => done.push(resolve))),
    );
    expect(calls).toEqual(['pause', 'counted']);
    done[0]!();
    await work[0];
    expect(calls).toEqual(['pause', 'counted']); // 3 in flight: still above half
    done[1]!();
    await work[1];
    expect(calls).toEqual(['pause', 'counted', 'resume']);
    done[2]!();
    done[3]!();
    await Promise.all(work);
    expect(calls).toEqual(['pause', 'counted', 'resume']);
  });
});
