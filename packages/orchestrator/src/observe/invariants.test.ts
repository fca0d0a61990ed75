import { describe, expect, it } from 'vitest';
import { agent, goal, task } from '../records.fixture.ts';
import { goalCounts, orphanedLeases, pendingDeps, summarize, type Violation } from './invariants.ts';

describe('invariants', () => {
  it('counts cancelling tasks as skipped and checks only running goals', () => {
    const g = goal({ taskCount: 3, succeededCount: 1, skippedCount: 2 });
    expect(goalCounts(g, { succeeded: 1, cancelled: 1, cancelling: 1 })).toEqual([]);
    expect(goalCounts(g, { succeeded: 1, cancelled: 1, leased: 1 })).toMatchObject([
      { kind: 'goal_counts', detail: `goal ${g.id}: skippedCount 2, tasks say 1` },
    ]);
    expect(goalCounts({ ...g, state: 'cancelled' }, {})).toEqual([]);
  });

  it('treats a cancelling dependency as finished and an unknown one as unfinished', () => {
    const [done, stopping, open] = [
      task('g', { state: 'succeeded' }),
      task('g', { state: 'cancelling' }),
      task('g', { state: 'running' }),
    ];
    const deps = new Map([done, stopping, open].map((t) => [t.id, t]));
    const waiting = task('g', {
      state: 'pending',
      dependsOn: [done.id, stopping.id, open.id],
      pendingDeps: 1,
    });
    expect(pendingDeps([waiting], deps)).toEqual([]);
    const orphanDep = { ...waiting, dependsOn: [...waiting.dependsOn, 'gone'], pendingDeps: 1 };
    expect(pendingDeps([orphanDep], deps)).toHaveLength(1);
  });

  it('accepts leases of active or draining agents only', () => {
    const leased = task('g', { state: 'leased', agentId: 'a' });
    const holders = (state: 'active' | 'draining' | 'lost') => new Map([['a', agent({ id: 'a', state })]]);
    expect(orphanedLeases([leased], holders('active'))).toEqual([]);
    expect(orphanedLeases([leased], holders('draining'))).toEqual([]);
    expect(orphanedLeases([leased], holders('lost'))).toHaveLength(1);
    expect(orphanedLeases([leased], new Map())).toMatchObject([
      { detail: expect.stringContaining('unknown') },
    ]);
  });

  it('summarizes every kind, counting all violations but keeping a few examples', () => {
    const many: Violation[] = Array.from({ length: 8 }, (_, i) => ({
      kind: 'stale_lease',
      subject: `t${i}`,
      detail: '',
    }));
    const s = summarize(many);
    expect(s.stale_lease.count).toBe(8);
    expect(s.stale_lease.examples.map((v) => v.subject)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(s.goal_counts).toEqual({ count: 0, examples: [] });
  });
});
