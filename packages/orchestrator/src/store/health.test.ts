import { describe, expect, it } from 'vitest';
import { isKosError } from '@kos/protocol';
import { verbBackends, verbHarness } from './verb-test-kit.ts';

/**
 * Circuit breakers, trust and quarantine through the store verbs, on each backend, with a
 * hand-driven clock: what failures do to an agent, and what the next round gives it.
 */
describe.each(verbBackends())('agent health on $name', (backend) => {
  /** Defaults, but breakers out of the way unless a test sets them, and retries that never run out. */
  const h = verbHarness(backend, {
    config: (c) => ({
      ...c,
      retry: { ...c.retry, maxAttempts: 100, baseDelayMs: 0, maxDelayMs: 0, jitter: false },
      breaker: { failureThreshold: 1000, cooldownMs: 1000, halfOpenProbes: 1 },
      lifecycle: { quarantineThreshold: 3, maxCrashes: 2 },
    }),
  });

  const submit = async (...names: string[]) => (await h.submit(names.map((n) => h.task(n)))).tasks;
  const register = (name: string, maxParallel = 10) => h.register(name, { maxParallel });
  const leasesOf = async (agentId: string) =>
    (await h.store.assignRound('test')).filter((l) => l.agentId === agentId).map((l) => l.task);
  /** Fails the task as its holder reports it. */
  const fail = async (taskId: string) => h.fail(taskId, {}, `agent:${(await h.get(taskId)).agentId}`);

  async function codeOf(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (e) {
      if (isKosError(e)) return e.code;
      throw e;
    }
    throw new Error('expected a KosError');
  }
  const eventCount = async () => (await h.store.read((tx) => tx.listEvents({ limit: 100_000 }))).length;

  it('quarantines an agent at the quarantine threshold of consecutive failures and revokes its other leases', async () => {
    const w = await register('flaky');
    const [a, b, c, d] = (await submit('a', 'b', 'c', 'd')).map((t) => t.id) as [
      string,
      string,
      string,
      string,
    ];
    expect(await leasesOf(w.id)).toHaveLength(4);

    await fail(a);
    // A success in between resets the count.
    await h.complete(b);
    await fail(c);
    expect((await h.agent(w.id)).health.consecutiveFailures).toBe(1);
    h.clock.now += 1;
    await h.store.sweep(); // the retries are due at once (no backoff here)
    await h.store.assignRound('test');
    const [a2, c2] = [await h.get(a), await h.get(c)];
    expect([a2.state, c2.state]).toEqual(['leased', 'leased']);
    await fail(a);
    expect((await h.agent(w.id)).state).toBe('active');
    await fail(c);

    const agent = await h.agent(w.id);
    expect(agent.state).toBe('quarantined');
    expect(agent.health.quarantine).toMatchObject({ by: 'system', at: h.clock.now });
    expect(agent.health.quarantine?.reason).toMatch(/3 consecutive failures/);
    // Its one other lease (d) ended in the same verb, so the engine tells the agent to stop it.
    expect(h.lastEffects().revoked.map((r) => [r.task.id, r.agentId])).toEqual([[d, w.id]]);
    expect((await h.get(d)).state).toBe('ready');
    const events = await h.store.read((tx) => tx.listEvents({ agentId: w.id, limit: 1000 }));
    expect(events.find((e) => e.data['to'] === 'quarantined')?.data).toMatchObject({
      trigger: 'consecutive_failures',
      by: 'system',
    });

    // Quarantined: no lease in any later round, no heartbeat, no registering again.
    h.clock.now += 10;
    await h.store.sweep();
    expect(await leasesOf(w.id)).toEqual([]);
    expect(await codeOf(h.store.heartbeat('test', { agentId: w.id }))).toBe('KOS_ERR_AGENT_NOT_ACTIVE');
    expect(await codeOf(register('flaky'))).toBe('KOS_ERR_AGENT_NOT_ACTIVE');
    // Leaving does not end a quarantine either.
    expect((await h.store.unregisterAgent('test', { agentId: w.id })).agent.state).toBe('quarantined');
    const other = await register('steady');
    expect((await leasesOf(other.id)).map((t) => t.id).sort()).toEqual([a, c, d].sort());
  });

  it('counts the leases an agent loses on one occasion as one crash, and quarantines it at max_crashes', async () => {
    const w = await register('crashy');
    await submit('a', 'b', 'c');
    for (let crash = 1; crash <= 2; crash++) {
      expect(await leasesOf(w.id)).toHaveLength(3);
      h.clock.now += h.config.heartbeat.ttlMs + 1;
      const swept = await h.store.sweep();
      expect(swept.lost).toHaveLength(3);
      const agent = await h.agent(w.id);
      expect(agent.health.crashes).toBe(crash);
      expect(agent.health.consecutiveFailures).toBe(crash);
      if (crash === 1) {
        expect(agent.state).toBe('lost');
        await h.store.heartbeat('test', { agentId: w.id }); // it comes back
      } else {
        // The second crash reaches lifecycle.max_crashes (2): quarantined, not merely lost.
        expect(agent.state).toBe('quarantined');
        expect(agent.health.quarantine?.reason).toMatch(/2 crashes/);
      }
    }
    expect(await leasesOf(w.id)).toEqual([]);
  });

  it('revokes the leases of an agent an operator quarantines, and gives it none afterwards', async () => {
    const w = await register('suspect');
    const ids = (await submit('a', 'b')).map((t) => t.id);
    await leasesOf(w.id);
    const { agent, revoked } = await h.store.quarantineAgent('token:op', w.id, {
      reason: 'leaks data',
      trigger: 'operator',
    });
    expect(agent.state).toBe('quarantined');
    expect(agent.health.quarantine).toEqual({ reason: 'leaks data', at: h.clock.now, by: 'token:op' });
    expect(revoked.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(await leasesOf(w.id)).toEqual([]);
    const [event] = (await h.store.read((tx) => tx.listEvents({ agentId: w.id, limit: 1000 }))).filter(
      (e) => e.data['to'] === 'quarantined',
    );
    expect(event).toMatchObject({ actor: 'token:op', data: { trigger: 'operator', reason: 'leaks data' } });
    // Lost leases of a quarantined agent do not count against it any further.
    expect((await h.agent(w.id)).health.consecutiveFailures).toBe(0);
  });

  it('releases only a quarantined agent, resetting its counts and breakers, and it must register again', async () => {
    h.configure((c) => ({ ...c, breaker: { failureThreshold: 2, cooldownMs: 1000, halfOpenProbes: 1 } }));
    const w = await register('flaky');
    const ids = (await submit('a', 'b', 'c')).map((t) => t.id);
    await leasesOf(w.id);
    for (const id of ids) await fail(id);
    const quarantined = await h.agent(w.id);
    expect(quarantined.state).toBe('quarantined');
    expect(quarantined.health.breakers['*']?.state).toBe('open');

    const before = await eventCount();
    expect(await codeOf(h.store.releaseAgent('token:op', 'no-such-agent', 'x'))).toBe(
      'KOS_ERR_AGENT_NOT_FOUND',
    );
    expect(
      await codeOf(h.store.quarantineAgent('token:op', w.id, { reason: 'again', trigger: 'operator' })),
    ).toBe('KOS_ERR_AGENT_QUARANTINED');
    expect(await eventCount()).toBe(before);
    expect(await h.agent(w.id)).toEqual(quarantined);

    h.clock.now += 5;
    const { agent } = await h.store.releaseAgent('token:op', w.id, 'fixed the disk');
    expect(agent.state).toBe('unregistered');
    expect(agent.health).toMatchObject({
      consecutiveFailures: 0,
      crashes: 0,
      breakers: {},
      quarantine: null,
    });
    expect(agent.trust).toBe(quarantined.trust); // trust is earned back, not reset
    const released = (await h.store.read((tx) => tx.listEvents({ agentId: w.id, limit: 1000 }))).at(-1);
    expect(released).toMatchObject({
      kind: 'agent.state',
      actor: 'token:op',
      data: { from: 'quarantined', to: 'unregistered', reason: 'fixed the disk', by: 'token:op' },
    });
    expect(await codeOf(h.store.releaseAgent('token:op', w.id, 'twice'))).toBe(
      'KOS_ERR_AGENT_NOT_QUARANTINED',
    );

    expect(await leasesOf(w.id)).toEqual([]);
    // Trust 0.729 after three failures is still above the 0.7 threshold: it gets normal work.
    await h.store.sweep();
    await register('flaky');
    expect((await leasesOf(w.id)).map((t) => t.id).sort()).toEqual([...ids].sort());
  });

  it('opens the breaker after failure_threshold failures, lets one probe through after the cool-down, and closes on its success', async () => {
    h.configure((c) => ({
      ...c,
      breaker: { failureThreshold: 2, cooldownMs: 1000, halfOpenProbes: 1 },
      lifecycle: { quarantineThreshold: 100, maxCrashes: 100 },
    }));
    const w = await register('wobbly', 5);
    const [a, b] = (await submit('a', 'b')).map((t) => t.id) as [string, string];
    await leasesOf(w.id);
    await fail(a);
    await fail(b);
    expect((await h.agent(w.id)).health.breakers['*']).toMatchObject({
      state: 'open',
      openedAt: h.clock.now,
    });
    await h.store.sweep(); // the retries are due at once (no backoff here)
    expect(await leasesOf(w.id)).toEqual([]);

    h.clock.now += 999;
    expect(await leasesOf(w.id)).toEqual([]);
    h.clock.now += 1;
    const probe = await leasesOf(w.id);
    expect(probe).toHaveLength(1); // two ready tasks and five free slots, but one probe
    expect((await h.agent(w.id)).health.breakers['*']).toMatchObject({ state: 'half_open', probes: 1 });
    expect(await leasesOf(w.id)).toEqual([]);

    await h.complete(probe[0]!.id);
    expect((await h.agent(w.id)).health.breakers).toEqual({});
    expect(await leasesOf(w.id)).toHaveLength(1);
  });

  it('gives an agent below the trust threshold experimental tasks only, until its trust decays back', async () => {
    const w = await register('novice');
    await h.store.backend.transaction(async (tx) => {
      const a = (await tx.getAgent(w.id))!;
      await tx.putAgent({ ...a, trust: 0.3, health: { ...a.health, trustAt: h.clock.now } });
    });
    const { tasks } = await h.submit([h.task('normal'), h.task('trial', { policy: { experimental: true } })]);
    const [normal, trial] = tasks.map((t) => t.id) as [string, string];
    expect((await leasesOf(w.id)).map((t) => t.id)).toEqual([trial]);
    expect((await h.get(normal)).state).toBe('ready');
    // Two half-lives later its trust is 0.8 − 0.5·0.25 = 0.675, still below 0.7; three: 0.7375.
    h.clock.now += 2 * h.config.security.trustHalfLifeMs;
    expect(await leasesOf(w.id)).toEqual([]);
    h.clock.now += h.config.security.trustHalfLifeMs;
    expect((await leasesOf(w.id)).map((t) => t.id)).toEqual([normal]);
  });
});
