import { describe, expect, it } from 'vitest';
import { rejection, verbBackends, verbHarness } from '../verb-test-kit.ts';

const backends = verbBackends();

/** Declines and delegations: the chain, exclusion, preference, loops and the depth limit, on each backend. */
describe.each(backends)('delegation on $name', (backend) => {
  const h = verbHarness(backend);

  const register = (name: string, skills = ['s'], maxParallel = 1) =>
    h.register(name, { skills, maxParallel });

  /** The task's holder hands it off. */
  async function handOff(taskId: string, action: 'declined' | 'delegated', reason: string, to?: string) {
    const t = await h.get(taskId);
    return h.store.handOff(`agent:${t.agentId}`, {
      taskId,
      agentId: t.agentId!,
      epoch: t.epoch,
      action,
      reason,
      ...(to === undefined ? {} : { to }),
    });
  }

  it('passes a task along a chain of three agents, excluding each, without counting attempts or lowering trust', async () => {
    const { goal, tasks } = await h.submit([h.task('t')]);
    const id = tasks[0]!.id;
    const chain: string[] = [];
    const steps = [
      ['declined', 'no GPU here'],
      ['delegated', 'better elsewhere'],
      ['declined', 'busy with a migration'],
    ] as const;
    for (const [i, [action, reason]] of steps.entries()) {
      // A new agent joins each time; the ones that handed the task off are still free but excluded.
      const agent = await register(`w${i + 1}`);
      const [lease] = await h.store.assignRound('test');
      expect(lease).toMatchObject({ agentId: agent.id, task: { id, attempts: 1 } });
      h.clock.now += 10;
      const trust = await h.trustOf(agent.id);
      const { task } = await handOff(id, action, reason);
      expect(task).toMatchObject({ state: 'ready', agentId: null, attempts: 0 });
      expect(await h.trustOf(agent.id)).toBe(trust);
      chain.push(agent.id);
    }
    expect(await h.store.assignRound('test')).toEqual([]); // every capable agent is in the chain

    const task = await h.get(id);
    expect(task.delegations).toEqual(
      steps.map(([action, reason], i) => ({
        agentId: chain[i],
        action,
        reason,
        to: null,
        at: expect.any(Number),
      })),
    );
    const events = await h.store.read((tx) =>
      tx.listEvents({ taskId: id, kinds: ['task.state'], limit: 100 }),
    );
    const hops = events.filter((e) => e.data.delegation !== undefined);
    expect(hops.map((e) => [e.agentId, e.data.reason, e.data.depth])).toEqual([
      [chain[0], 'declined', 1],
      [chain[1], 'delegated', 2],
      [chain[2], 'declined', 3],
    ]);

    const last = await register('w4');
    const [lease] = await h.store.assignRound('test');
    expect(lease).toMatchObject({ agentId: last.id, task: { attempts: 1 } });
    await h.complete(id);
    expect(await h.goal(goal.id)).toMatchObject({ state: 'succeeded' });
  });

  it('gives a delegated task to the agent it names when it can take it, over a better-ranked one', async () => {
    const named = await register('named', ['s', 'b'], 2);
    await h.submit([h.task('keeps-named-busy', { skills: ['b'] })]);
    await h.store.assignRound('test'); // named now has 1 of 2 slots in use
    const holder = await register('holder');
    const { tasks } = await h.submit([h.task('t')]);
    const [first] = await h.store.assignRound('test');
    expect(first?.agentId).toBe(holder.id); // the idle agent ranks first
    const idle = await register('idle', ['s'], 2);

    const { task } = await handOff(tasks[0]!.id, 'delegated', 'named has the data', 'named');
    expect(task.delegations.at(-1)).toMatchObject({ agentId: holder.id, action: 'delegated', to: named.id });
    const [lease] = await h.store.assignRound('test');
    expect(lease?.agentId).toBe(named.id);
    expect(lease?.agentId).not.toBe(idle.id);
  });

  it('refuses a delegation to the holder itself or to an agent already in the chain, changing nothing', async () => {
    const { tasks } = await h.submit([h.task('t')]);
    const id = tasks[0]!.id;
    const first = await register('first');
    await h.store.assignRound('test');
    const before = await h.get(id);
    expect(await rejection(handOff(id, 'delegated', 'to me', 'first'))).toMatchObject({
      code: 'KOS_ERR_DELEGATION_LOOP',
    });
    expect(await rejection(handOff(id, 'delegated', 'to my id', first.id))).toMatchObject({
      code: 'KOS_ERR_DELEGATION_LOOP',
    });
    expect(await rejection(handOff(id, 'delegated', 'to nobody', 'no-such-agent'))).toMatchObject({
      code: 'KOS_ERR_AGENT_NOT_FOUND',
    });
    expect(await h.get(id)).toEqual(before);

    await handOff(id, 'declined', 'not mine');
    await register('second');
    await h.store.assignRound('test');
    const held = await h.get(id);
    expect(await rejection(handOff(id, 'delegated', 'back to first', 'first'))).toMatchObject({
      code: 'KOS_ERR_DELEGATION_LOOP',
    });
    expect(await h.get(id)).toEqual(held);
  });

  it('kills the task when a hand-off goes past delegation.max_depth, and the goal’s policy applies', async () => {
    h.config.delegation.maxDepth = 2;
    const { goal, tasks } = await h.submit([h.task('t'), h.task('after', { dependsOn: ['t'] })]);
    const id = tasks[0]!.id;
    for (let i = 1; i <= 3; i++) {
      await register(`w${i}`);
      await h.store.assignRound('test');
      const { task } = await handOff(id, 'declined', `no ${i}`);
      expect(task.state).toBe(i <= 2 ? 'ready' : 'dead');
    }
    expect(await h.get(id)).toMatchObject({
      state: 'dead',
      leaseExpiresAt: null,
      error: { code: 'delegation.depth_exceeded', retryable: false },
    });
    expect((await h.get(id)).delegations).toHaveLength(3);
    expect(await h.get(tasks[1]!.id)).toMatchObject({ state: 'cancelled' });
    expect(await h.goal(goal.id)).toMatchObject({ state: 'failed', deadCount: 1 });
  });

  it('refuses a hand-off from an agent that does not hold the lease, or with a stale epoch', async () => {
    const { tasks } = await h.submit([h.task('t')]);
    const id = tasks[0]!.id;
    const holder = await register('holder');
    await h.store.assignRound('test');
    const other = await register('other');
    const before = await h.get(id);
    const base = { taskId: id, action: 'declined' as const, reason: 'x' };
    expect(
      await rejection(h.store.handOff('x', { ...base, agentId: other.id, epoch: before.epoch })),
    ).toMatchObject({ code: 'KOS_ERR_NOT_LEASE_HOLDER' });
    expect(
      await rejection(h.store.handOff('x', { ...base, agentId: holder.id, epoch: before.epoch - 1 })),
    ).toMatchObject({ code: 'KOS_ERR_STALE_EPOCH' });
    expect(await h.get(id)).toEqual(before);
  });
});
