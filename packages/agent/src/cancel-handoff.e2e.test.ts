// Cancellation and hand-offs with the SDK against a real orchestrator process (its /klp gateway,
// SQLite store, scheduler and sweeps). The scripted-peer versions are in cancel-handoff.wire.test.ts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKey } from '@kos/protocol/node';
import { poll, tempDir, useServer, type RunningServer } from '@kos/testing';
import { Agent } from './agent.ts';
import { TaskHandoff } from './handoff.ts';
import type { TaskHandler } from './task.ts';
import { deferred, memoryLogger } from './test-peer.ts';

const GRACE_MS = 1_000;

function config(maxDepth: number): string {
  const file = path.join(tempDir('kos-cfg-'), 'kos.yaml');
  writeFileSync(
    file,
    `heartbeat:\n  ttl_ms: 3000\n  sweep_interval_ms: 100\nleases:\n  ttl_ms: 3000\n` +
      `cancellation:\n  grace_ms: ${GRACE_MS}\ndelegation:\n  max_depth: ${maxDepth}\n` +
      `retry:\n  max_attempts: 2\n  base_delay_ms: 10\n  max_delay_ms: 20\n`,
  );
  return file;
}

interface TaskView {
  id: string;
  state: string;
  agent_id: string | null;
  attempts: number;
  result: unknown;
  error: { code: string; message: string } | null;
  delegations: { agent_id: string; action: string; reason: string; to: string | null }[];
}
interface History {
  kind: string;
  data: Record<string, unknown>;
}

const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

function helpers(running: RunningServer) {
  async function startAgent(name: string, skill: string, handler: TaskHandler): Promise<Agent> {
    const token = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: name,
    });
    const agent = await Agent.create({
      orchestrator: running.ws,
      name,
      skills: [skill],
      key: generateKey(),
      token: token.body.token,
      logger: memoryLogger(),
      handleSignals: false,
      maxParallel: 1,
      heartbeatIntervalMs: 200,
    });
    agent.handle(skill, handler);
    agents.push(agent);
    await agent.start();
    return agent;
  }
  async function submit(name: string, skill: string): Promise<string> {
    const res = await running.admin.post<{ subtasks: { id: string }[] }>('/orchestration/decompose', {
      goal: `e2e ${name}`,
      tasks: [{ name, skills: [skill] }],
    });
    expect(res.status).toBe(201);
    return res.body.subtasks[0]!.id;
  }
  async function task(id: string): Promise<{ task: TaskView; history: History[] }> {
    return (await running.admin.get<{ task: TaskView; history: History[] }>(`/orchestration/tasks/${id}`))
      .body;
  }
  const taskIn = (id: string, states: string[]) =>
    poll(
      async () => {
        const t = await task(id);
        return states.includes(t.task.state) ? t : undefined;
      },
      { what: `task ${id} to reach ${states.join('/')}`, timeoutMs: 15_000 },
    );
  const trustOf = async (name: string) => {
    const { body } = await running.admin.get<{ agents: { name: string; trust: number }[] }>(
      '/orchestration/agents',
    );
    return body.agents.find((a) => a.name === name)!.trust;
  };
  return { startAgent, submit, task, taskIn, trustOf };
}

describe('cancelling tasks run by SDK agents', () => {
  const running = useServer(() => ({ configFile: config(5) }));
  const h = helpers(running);

  it('fires ctx.signal in the handler, acknowledges when it returns, and ends cancelled without penalty', async () => {
    const started = deferred();
    const aborted = deferred<unknown>();
    await h.startAgent('e2e-polite', 'e2e_polite', async (_task, ctx) => {
      started.resolve();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      aborted.resolve(ctx.signal.reason);
      return 'stopped early';
    });
    const id = await h.submit('Polite', 'e2e_polite');
    await started.promise;
    const trust = await h.trustOf('e2e-polite');
    const res = await running.admin.post<{ task: TaskView }>(`/orchestration/tasks/${id}/cancel`, {
      reason: 'the user changed their mind',
    });
    expect(res.body.task.state).toBe('cancelling');
    expect(String(await aborted.promise)).toMatch(/cancelled/);
    const { task, history } = await h.taskIn(id, ['cancelled']);
    expect(task).toMatchObject({ result: null, error: { code: 'cancelled' } });
    expect(history.find((e) => e.data.to === 'cancelled')?.data).toMatchObject({ reason: 'acknowledged' });
    expect(history.some((e) => e.kind === 'task.lease_revoked')).toBe(false);
    expect(await h.trustOf('e2e-polite')).toBeCloseTo(trust, 2);
  });

  it('revokes the lease of an agent whose handler ignores the signal, drops its result, and lowers its trust', async () => {
    const started = deferred();
    const release = deferred();
    let finished = false;
    await h.startAgent('e2e-stubborn', 'e2e_stubborn', async () => {
      started.resolve();
      await release.promise; // never looks at ctx.signal
      finished = true;
      return 'done at last';
    });
    const id = await h.submit('Stubborn', 'e2e_stubborn');
    await started.promise;
    const trust = await h.trustOf('e2e-stubborn');
    await running.admin.post(`/orchestration/tasks/${id}/cancel`, {});
    const { history } = await h.taskIn(id, ['cancelled']);
    expect(history.find((e) => e.kind === 'task.lease_revoked')?.data).toMatchObject({
      reason: 'lease_expired',
      cancelling: true,
    });
    release.resolve();
    await poll(() => finished);
    expect((await h.task(id)).task).toMatchObject({ state: 'cancelled', result: null });
    expect(await h.trustOf('e2e-stubborn')).toBeLessThan(trust - 0.05);
  });
});

describe('handing tasks off between SDK agents', () => {
  const running = useServer(() => ({ configFile: config(3) }));
  const h = helpers(running);

  it('passes a task along a chain of three agents, each excluded afterwards, and records the chain', async () => {
    const calls: string[] = [];
    const handOff =
      (name: string, thrown: () => TaskHandoff): TaskHandler =>
      () => {
        calls.push(name);
        throw thrown();
      };
    await h.startAgent(
      'chain-1',
      'e2e_chain',
      handOff('chain-1', () => TaskHandoff.decline('no GPU here')),
    );
    const id = await h.submit('Potato', 'e2e_chain');
    const hops = (n: number) =>
      poll(async () => ((await h.task(id)).task.delegations.length === n ? true : undefined));
    await hops(1);
    await h.startAgent(
      'chain-2',
      'e2e_chain',
      handOff('chain-2', () => TaskHandoff.delegate('better elsewhere')),
    );
    await hops(2);
    await h.startAgent(
      'chain-3',
      'e2e_chain',
      handOff('chain-3', () => TaskHandoff.decline('on a break')),
    );
    await hops(3);
    await h.startAgent('chain-doer', 'e2e_chain', () => {
      calls.push('chain-doer');
      return 'done';
    });
    const { task, history } = await h.taskIn(id, ['succeeded']);
    // Each agent was offered the task once, although all stayed connected with a free slot.
    expect(calls).toEqual(['chain-1', 'chain-2', 'chain-3', 'chain-doer']);
    expect(task).toMatchObject({ result: 'done', attempts: 1 });
    expect(task.delegations.map((d) => [d.action, d.reason])).toEqual([
      ['declined', 'no GPU here'],
      ['delegated', 'better elsewhere'],
      ['declined', 'on a break'],
    ]);
    expect(history.filter((e) => e.data.delegation !== undefined).map((e) => e.data.depth)).toEqual([
      1, 2, 3,
    ]);
    for (const name of ['chain-1', 'chain-2', 'chain-3']) expect(await h.trustOf(name)).toBeCloseTo(1, 2);
  });

  it('kills the task when the chain goes past delegation.max_depth', async () => {
    const id = await h.submit('Unwanted', 'e2e_depth');
    for (let i = 1; i <= 4; i++) {
      await h.startAgent(`depth-${i}`, 'e2e_depth', () => {
        throw TaskHandoff.decline(`not me (${i})`);
      });
      if (i < 4)
        await poll(async () => ((await h.task(id)).task.delegations.length === i ? true : undefined));
    }
    const { task } = await h.taskIn(id, ['dead']);
    expect(task.error).toMatchObject({ code: 'delegation.depth_exceeded' });
    expect(task.delegations).toHaveLength(4);
  });

  it('turns a delegation loop, which the orchestrator refuses, into a failed attempt', async () => {
    await h.startAgent('looper', 'e2e_loop', () => {
      throw TaskHandoff.delegate('to myself', { to: 'looper' });
    });
    const id = await h.submit('Loop', 'e2e_loop');
    const { task, history } = await h.taskIn(id, ['dead']);
    expect(task.delegations).toEqual([]);
    expect(task.error).toMatchObject({ code: 'handoff_refused' });
    expect(task.error?.message).toMatch(/KOS_ERR_DELEGATION_LOOP/);
    expect(history.filter((e) => e.data.to === 'retrying')).toHaveLength(1);
  });
});
