import { describe, expect, it } from 'vitest';
import type { Config } from '../../config/types.ts';
import { verbBackends, verbHarness } from '../verb-test-kit.ts';

const backends = verbBackends();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The default start-to-close bound (timeouts.start_to_close_* keys): a task whose policy sets no
 * start_to_close_ms is bounded by its estimated duration, so a stuck handler whose agent keeps
 * heartbeating loses its lease like one past an explicit start_to_close_ms.
 */
describe.each(backends)('the default start-to-close bound on $name', (backend) => {
  const h = verbHarness(backend);

  /** The agent heartbeats every 10 s (below heartbeat.ttl_ms) and the sweep runs, until `until`. */
  async function heartbeatUntil(agentId: string, until: number) {
    const timedOut: string[] = [];
    while (h.clock.now < until) {
      h.clock.now = Math.min(h.clock.now + 10_000, until);
      await h.store.heartbeat('test', { agentId });
      timedOut.push(...(await h.store.sweep()).timedOut.map((r) => r.task.id));
    }
    return timedOut;
  }

  it('bounds a task by ten times its estimated duration, at least five minutes and at most a day', async () => {
    const { tasks } = await h.submit([
      h.task('quick', { estimatedDurationMs: 1_000 }),
      h.task('usual', { estimatedDurationMs: MINUTE }),
      h.task('long', { estimatedDurationMs: 5 * HOUR }),
    ]);
    expect(tasks.map((t) => t.policy.timeouts.startToCloseMs)).toEqual([5 * MINUTE, 10 * MINUTE, 24 * HOUR]);
  });

  it('times out a task whose agent keeps heartbeating but never reports, at the default bound', async () => {
    const agent = await h.register('w');
    const { tasks } = await h.submit([h.task('stuck', { estimatedDurationMs: MINUTE })]);
    const id = tasks[0]!.id;
    const [lease] = await h.store.assignRound('test');
    const leasedAt = h.clock.now;
    expect(lease!.task.deadlineAt).toBe(leasedAt + 10 * MINUTE);

    expect(await heartbeatUntil(agent.id, leasedAt + 10 * MINUTE)).toEqual([]);
    expect(await h.get(id)).toMatchObject({ agentId: agent.id, epoch: 1 });
    expect(await heartbeatUntil(agent.id, leasedAt + 10 * MINUTE + 1)).toEqual([id]);

    expect(await h.get(id)).toMatchObject({
      state: 'retrying',
      agentId: null,
      lastAgentId: agent.id,
      error: { code: 'timeout.start_to_close', message: `no result within ${10 * MINUTE} ms of the lease` },
    });
    const history = await h.store.read((tx) => tx.listEvents({ taskId: id, limit: 100 }));
    expect(history.find((e) => e.kind === 'task.lease_revoked')).toMatchObject({
      agentId: agent.id,
      data: { reason: 'timeout.start_to_close', epoch: 1, attempt: 1 },
    });
  });

  it('leaves the bound to a task whose policy sets start_to_close_ms, or null for none', async () => {
    const agent = await h.register('w', { maxParallel: 2 });
    const { tasks } = await h.submit([
      h.task('own', { estimatedDurationMs: MINUTE, policy: { timeouts: { startToCloseMs: HOUR } } }),
      h.task('none', { estimatedDurationMs: MINUTE, policy: { timeouts: { startToCloseMs: null } } }),
    ]);
    expect(tasks.map((t) => t.policy.timeouts.startToCloseMs)).toEqual([HOUR, null]);
    await h.store.assignRound('test');
    expect(await heartbeatUntil(agent.id, h.clock.now + 30 * MINUTE)).toEqual([]);
    expect((await Promise.all(tasks.map((t) => h.get(t.id)))).map((t) => t.epoch)).toEqual([1, 1]);
  });

  it('sets no default bound when timeouts.start_to_close_factor is 0', async () => {
    h.configure((c: Config) => ({ ...c, timeouts: { ...c.timeouts, startToCloseFactor: 0 } }));
    const agent = await h.register('w');
    const { tasks } = await h.submit([h.task('t', { estimatedDurationMs: MINUTE })]);
    expect(tasks[0]!.policy.timeouts.startToCloseMs).toBeNull();
    const [lease] = await h.store.assignRound('test');
    expect(lease!.task.deadlineAt).toBeNull();
    expect(await heartbeatUntil(agent.id, h.clock.now + 30 * MINUTE)).toEqual([]);
  });
});
