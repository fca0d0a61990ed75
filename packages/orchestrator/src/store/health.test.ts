import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isKosError } from '@kos/protocol';
import { resolveConfig } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { planFromTasks, type PlannedTask } from '../planner/index.ts';
import type { Agent } from '../registry/agent.ts';
import type { Backend } from './backend.ts';
import { openPostgresBackend } from './postgres/index.ts';
import { createTestDatabase, type TestDatabase } from './postgres/test-database.ts';
import { openSqliteBackend } from './sqlite/index.ts';
import { Store } from './store.ts';

let pgDatabase: TestDatabase | undefined;
const backends: { name: string; open: (dir: string) => Promise<Backend> }[] = [
  {
    name: 'sqlite',
    open: (dir) => openSqliteBackend({ file: `${dir}/kos.db`, synchronous: 'NORMAL' }),
  },
  {
    name: 'postgres',
    open: async () => {
      pgDatabase ??= await createTestDatabase();
      await pgDatabase.reset();
      return openPostgresBackend({ url: pgDatabase.url });
    },
  },
];
afterAll(async () => {
  await pgDatabase?.drop();
});

/**
 * Circuit breakers, trust and quarantine through the store verbs, on each backend, with a
 * hand-driven clock: what failures do to an agent, and what the next round gives it.
 */
describe.each(backends)('agent health on $name', ({ open }) => {
  let dir: string;
  let store: Store;
  let now: number;
  let config: Config;

  /** Defaults, but breakers out of the way unless a test sets them, and retries that never run out. */
  async function start(overrides: Partial<Pick<Config, 'breaker' | 'lifecycle'>> = {}) {
    dir = mkdtempSync(path.join(tmpdir(), 'kos-health-'));
    const base = resolveConfig({ env: {}, flags: { dataDir: dir } });
    config = {
      ...base,
      retry: { ...base.retry, maxAttempts: 100, baseDelayMs: 0, maxDelayMs: 0, jitter: false },
      breaker: { failureThreshold: 1000, cooldownMs: 1000, halfOpenProbes: 1 },
      lifecycle: { quarantineThreshold: 3, maxCrashes: 2 },
      ...overrides,
    };
    now = 1_000_000;
    store = new Store(await open(dir), config, { now: () => now }, () => 0.5);
  }
  afterEach(async () => {
    await store.backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const task = (name: string, extra: Partial<PlannedTask> = {}): PlannedTask => ({
    name,
    skills: ['s'],
    priority: 'medium',
    estimatedDurationMs: 1000,
    dependsOn: [],
    input: null,
    ...extra,
  });

  async function submit(...names: string[]) {
    const plan = planFromTasks(
      names.map((n) => task(n)),
      config.limits,
    );
    return (await store.submitGoal('test', { goal: 'g', context: '', priority: 'medium', plan })).tasks;
  }

  const register = async (name: string, maxParallel = 10) =>
    (await store.registerAgent('test', { name, skills: ['s'], maxParallel })).agent;
  const agentNow = async (id: string) => (await store.read((tx) => tx.getAgent(id))) as Agent;
  const taskNow = async (id: string) => (await store.read((tx) => tx.getTask(id)))!;
  const leasesOf = async (agentId: string) =>
    (await store.assignRound('test')).filter((l) => l.agentId === agentId).map((l) => l.task);

  async function fail(taskId: string) {
    const t = await taskNow(taskId);
    return store.failTask(`agent:${t.agentId}`, {
      taskId,
      agentId: t.agentId!,
      epoch: t.epoch,
      error: { code: 'boom', message: 'it broke', retryable: true },
    });
  }
  async function succeed(taskId: string) {
    const t = await taskNow(taskId);
    return store.completeTask('test', { taskId, agentId: t.agentId!, epoch: t.epoch, result: 'ok' });
  }
  async function codeOf(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (e) {
      if (isKosError(e)) return e.code;
      throw e;
    }
    throw new Error('expected a KosError');
  }
  const eventCount = async () => (await store.read((tx) => tx.listEvents({ limit: 100_000 }))).length;

  it('quarantines an agent at the quarantine threshold of consecutive failures and revokes its other leases', async () => {
    await start();
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
    await succeed(b);
    await fail(c);
    expect((await agentNow(w.id)).health.consecutiveFailures).toBe(1);
    now += 1;
    await store.sweep(); // the retries are due at once (no backoff here)
    await store.assignRound('test');
    const [a2, c2] = [await taskNow(a), await taskNow(c)];
    expect([a2.state, c2.state]).toEqual(['leased', 'leased']);
    await fail(a);
    expect((await agentNow(w.id)).state).toBe('active');
    const third = await fail(c);

    const agent = await agentNow(w.id);
    expect(agent.state).toBe('quarantined');
    expect(agent.health.quarantine).toMatchObject({ by: 'system', at: now });
    expect(agent.health.quarantine?.reason).toMatch(/3 consecutive failures/);
    // Its one other lease (d) ended in the same verb, so the engine tells the agent to stop it.
    expect(third.revoked.map((t) => t.id)).toEqual([d]);
    expect((await taskNow(d)).state).toBe('ready');
    const events = await store.read((tx) => tx.listEvents({ agentId: w.id, limit: 1000 }));
    expect(events.find((e) => e.data['to'] === 'quarantined')?.data).toMatchObject({
      trigger: 'consecutive_failures',
      by: 'system',
    });

    // Quarantined: no lease in any later round, no heartbeat, no registering again.
    now += 10;
    await store.sweep();
    expect(await leasesOf(w.id)).toEqual([]);
    expect(await codeOf(store.heartbeat('test', w.id))).toBe('KOS_ERR_AGENT_NOT_ACTIVE');
    expect(await codeOf(register('flaky'))).toBe('KOS_ERR_AGENT_NOT_ACTIVE');
    // Leaving does not end a quarantine either.
    expect((await store.unregisterAgent('test', w.id)).agent.state).toBe('quarantined');
    const other = await register('steady');
    expect((await leasesOf(other.id)).map((t) => t.id).sort()).toEqual([a, c, d].sort());
  });

  it('counts the leases an agent loses on one occasion as one crash, and quarantines it at max_crashes', async () => {
    await start();
    const w = await register('crashy');
    await submit('a', 'b', 'c');
    for (let crash = 1; crash <= 2; crash++) {
      expect(await leasesOf(w.id)).toHaveLength(3);
      now += config.heartbeat.ttlMs + 1;
      const swept = await store.sweep();
      expect(swept.lost).toHaveLength(3);
      const agent = await agentNow(w.id);
      expect(agent.health.crashes).toBe(crash);
      expect(agent.health.consecutiveFailures).toBe(crash);
      if (crash === 1) {
        expect(agent.state).toBe('lost');
        await store.heartbeat('test', w.id); // it comes back
      } else {
        // The second crash reaches lifecycle.max_crashes (2): quarantined, not merely lost.
        expect(agent.state).toBe('quarantined');
        expect(agent.health.quarantine?.reason).toMatch(/2 crashes/);
      }
    }
    expect(await leasesOf(w.id)).toEqual([]);
  });

  it('revokes the leases of an agent an operator quarantines, and gives it none afterwards', async () => {
    await start();
    const w = await register('suspect');
    const ids = (await submit('a', 'b')).map((t) => t.id);
    await leasesOf(w.id);
    const { agent, revoked } = await store.quarantineAgent('token:op', w.id, {
      reason: 'leaks data',
      trigger: 'operator',
    });
    expect(agent.state).toBe('quarantined');
    expect(agent.health.quarantine).toEqual({ reason: 'leaks data', at: now, by: 'token:op' });
    expect(revoked.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(await leasesOf(w.id)).toEqual([]);
    const [event] = (await store.read((tx) => tx.listEvents({ agentId: w.id, limit: 1000 }))).filter(
      (e) => e.data['to'] === 'quarantined',
    );
    expect(event).toMatchObject({ actor: 'token:op', data: { trigger: 'operator', reason: 'leaks data' } });
    // Lost leases of a quarantined agent do not count against it any further.
    expect((await agentNow(w.id)).health.consecutiveFailures).toBe(0);
  });

  it('releases only a quarantined agent, resetting its counts and breakers, and it must register again', async () => {
    await start({ breaker: { failureThreshold: 2, cooldownMs: 1000, halfOpenProbes: 1 } });
    const w = await register('flaky');
    const ids = (await submit('a', 'b', 'c')).map((t) => t.id);
    await leasesOf(w.id);
    for (const id of ids) await fail(id);
    const quarantined = await agentNow(w.id);
    expect(quarantined.state).toBe('quarantined');
    expect(quarantined.health.breakers['*']?.state).toBe('open');

    const before = await eventCount();
    expect(await codeOf(store.releaseAgent('token:op', 'no-such-agent', 'x'))).toBe(
      'KOS_ERR_AGENT_NOT_FOUND',
    );
    expect(
      await codeOf(store.quarantineAgent('token:op', w.id, { reason: 'again', trigger: 'operator' })),
    ).toBe('KOS_ERR_AGENT_QUARANTINED');
    expect(await eventCount()).toBe(before);
    expect(await agentNow(w.id)).toEqual(quarantined);

    now += 5;
    const { agent } = await store.releaseAgent('token:op', w.id, 'fixed the disk');
    expect(agent.state).toBe('unregistered');
    expect(agent.health).toMatchObject({
      consecutiveFailures: 0,
      crashes: 0,
      breakers: {},
      quarantine: null,
    });
    expect(agent.trust).toBe(quarantined.trust); // trust is earned back, not reset
    const released = (await store.read((tx) => tx.listEvents({ agentId: w.id, limit: 1000 }))).at(-1);
    expect(released).toMatchObject({
      kind: 'agent.state',
      actor: 'token:op',
      data: { from: 'quarantined', to: 'unregistered', reason: 'fixed the disk', by: 'token:op' },
    });
    expect(await codeOf(store.releaseAgent('token:op', w.id, 'twice'))).toBe('KOS_ERR_AGENT_NOT_QUARANTINED');

    expect(await leasesOf(w.id)).toEqual([]);
    // Trust 0.729 after three failures is still above the 0.7 threshold: it gets normal work.
    await store.sweep();
    await register('flaky');
    expect((await leasesOf(w.id)).map((t) => t.id).sort()).toEqual([...ids].sort());
  });

  it('opens the breaker after failure_threshold failures, lets one probe through after the cool-down, and closes on its success', async () => {
    await start({
      breaker: { failureThreshold: 2, cooldownMs: 1000, halfOpenProbes: 1 },
      lifecycle: { quarantineThreshold: 100, maxCrashes: 100 },
    });
    const w = await register('wobbly', 5);
    const [a, b] = (await submit('a', 'b')).map((t) => t.id) as [string, string];
    await leasesOf(w.id);
    await fail(a);
    await fail(b);
    expect((await agentNow(w.id)).health.breakers['*']).toMatchObject({ state: 'open', openedAt: now });
    await store.sweep(); // the retries are due at once (no backoff here)
    expect(await leasesOf(w.id)).toEqual([]);

    now += 999;
    expect(await leasesOf(w.id)).toEqual([]);
    now += 1;
    const probe = await leasesOf(w.id);
    expect(probe).toHaveLength(1); // two ready tasks and five free slots, but one probe
    expect((await agentNow(w.id)).health.breakers['*']).toMatchObject({ state: 'half_open', probes: 1 });
    expect(await leasesOf(w.id)).toEqual([]);

    await succeed(probe[0]!.id);
    expect((await agentNow(w.id)).health.breakers).toEqual({});
    expect(await leasesOf(w.id)).toHaveLength(1);
  });

  it('gives an agent below the trust threshold experimental tasks only, until its trust decays back', async () => {
    await start();
    const w = await register('novice');
    await store.backend.transaction(async (tx) => {
      const a = (await tx.getAgent(w.id))!;
      await tx.putAgent({ ...a, trust: 0.3, health: { ...a.health, trustAt: now } });
    });
    const plan = planFromTasks(
      [task('normal'), task('trial', { policy: { experimental: true } })],
      config.limits,
    );
    const { tasks } = await store.submitGoal('test', { goal: 'g', context: '', priority: 'medium', plan });
    const [normal, trial] = tasks.map((t) => t.id) as [string, string];
    expect((await leasesOf(w.id)).map((t) => t.id)).toEqual([trial]);
    expect((await taskNow(normal)).state).toBe('ready');
    // Two half-lives later its trust is 0.8 − 0.5·0.25 = 0.675, still below 0.7; three: 0.7375.
    now += 2 * config.security.trustHalfLifeMs;
    expect(await leasesOf(w.id)).toEqual([]);
    now += config.security.trustHalfLifeMs;
    expect((await leasesOf(w.id)).map((t) => t.id)).toEqual([normal]);
  });
});
