// The SDK against a real orchestrator process (its /klp gateway, SQLite store and scheduler).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '@kos/protocol/node';
import type { AgentKey } from '@kos/protocol/node';
import { Http, poll, startServer } from '@kos/testing';
import type { ServerHandle } from '@kos/testing';
import { Agent } from './agent.ts';
import { TaskFailure } from './failure.ts';
import type { AgentOptions } from './options.ts';
import { deferred, memoryLogger } from './test-peer.ts';

interface TaskView {
  id: string;
  name: string;
  state: string;
  attempts: number;
  result: unknown;
  error: { code: string; message: string; retryable: boolean } | null;
}
interface GoalView {
  goal: { id: string; state: string };
  tasks: TaskView[];
}

let server: ServerHandle;
let api: Http;
let wsUrl: string;
const running: Agent[] = [];

beforeAll(async () => {
  server = await startServer();
  api = new Http(server.url, server.adminToken);
  wsUrl = server.url.replace('http', 'ws') + '/klp';
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function agentToken(name: string): Promise<string> {
  const { status, body } = await api.post<{ token: string }>('/orchestration/tokens', {
    role: 'agent',
    agent_name: name,
  });
  expect(status).toBe(201);
  return body.token;
}

async function startAgent(
  name: string,
  skills: string[],
  setup: (agent: Agent) => void,
  options: Partial<AgentOptions> & { key?: AgentKey } = {},
): Promise<Agent> {
  const agent = await Agent.create({
    orchestrator: wsUrl,
    name,
    skills,
    key: generateKey(),
    token: await agentToken(name),
    logger: memoryLogger(),
    handleSignals: false,
    maxParallel: 2,
    ...options,
  });
  setup(agent);
  running.push(agent);
  await agent.start();
  return agent;
}

async function submit(tasks: { name: string; skills: string[]; depends_on?: string[]; input?: unknown }[]) {
  const { status, body } = await api.post<{ goal_id: string }>('/orchestration/decompose', {
    goal: `e2e ${tasks.map((t) => t.name).join(' → ')}`,
    tasks,
  });
  expect(status).toBe(201);
  return body.goal_id;
}

async function goalIn(goalId: string, states: string[]): Promise<GoalView> {
  return poll(
    async () => {
      const { body } = await api.get<GoalView>(`/orchestration/goals/${goalId}`);
      return states.includes(body.goal.state) ? body : undefined;
    },
    { what: `goal ${goalId} to reach ${states.join('/')}`, timeoutMs: 20_000 },
  );
}

const taskNamed = (view: GoalView, name: string): TaskView => view.tasks.find((t) => t.name === name)!;

describe('Agent against a real orchestrator', () => {
  it('runs a DAG across two agents to success and passes results along', async () => {
    const inputs: unknown[] = [];
    await startAgent('e2e-collector', ['e2e_collect'], (a) =>
      a.handle('e2e_collect', async (task, ctx) => {
        inputs.push(task.input);
        await ctx.progress(50, 'half way', { cursor: 1 });
        return { rows: 3 };
      }),
    );
    const upstreams: unknown[] = [];
    await startAgent('e2e-analyst', ['e2e_analyze'], (a) =>
      a.handle('e2e_analyze', (_task, ctx) => {
        upstreams.push(ctx.upstream);
        return { trend: 'up' };
      }),
    );
    const goalId = await submit([
      { name: 'Collect', skills: ['e2e_collect'], input: { source: 'crm' } },
      { name: 'Analyze', skills: ['e2e_analyze'], depends_on: ['Collect'] },
    ]);
    const view = await goalIn(goalId, ['succeeded', 'failed']);
    expect(view.goal.state).toBe('succeeded');
    expect(taskNamed(view, 'Collect')).toMatchObject({
      state: 'succeeded',
      result: { rows: 3 },
      attempts: 1,
    });
    expect(taskNamed(view, 'Analyze')).toMatchObject({ state: 'succeeded', result: { trend: 'up' } });
    // The analyst saw the collector's result: data flows along the DAG.
    expect(upstreams).toEqual([{ Collect: { rows: 3 } }]);
    expect(inputs).toEqual([{ source: 'crm' }]);
  });

  it('retries a retryable failure and hands the next attempt the checkpoint of the last one', async () => {
    const seen: { attempt: number; checkpoint: unknown }[] = [];
    await startAgent('e2e-retrier', ['e2e_retry'], (a) =>
      a.handle('e2e_retry', async (_task, ctx) => {
        seen.push({ attempt: ctx.attempt, checkpoint: ctx.checkpoint });
        if (ctx.attempt === 1) {
          await ctx.progress(30, 'page 1 of 3', { page: 1 });
          throw TaskFailure.retryable('upstream timed out', { code: 'upstream_timeout' });
        }
        return 'second time lucky';
      }),
    );
    const goalId = await submit([{ name: 'Flaky', skills: ['e2e_retry'] }]);
    const view = await goalIn(goalId, ['succeeded', 'failed']);
    expect(view.goal.state).toBe('succeeded');
    expect(taskNamed(view, 'Flaky')).toMatchObject({
      state: 'succeeded',
      attempts: 2,
      result: 'second time lucky',
    });
    expect(seen).toEqual([
      { attempt: 1, checkpoint: null },
      { attempt: 2, checkpoint: { page: 1 } },
    ]);
  });

  it('marks a task dead after TaskFailure.nonRetryable and fails its goal', async () => {
    let calls = 0;
    await startAgent('e2e-refuser', ['e2e_refuse'], (a) =>
      a.handle('e2e_refuse', () => {
        calls++;
        throw TaskFailure.nonRetryable('the customer does not exist', { code: 'unknown_customer' });
      }),
    );
    const goalId = await submit([{ name: 'Doomed', skills: ['e2e_refuse'] }]);
    const view = await goalIn(goalId, ['failed', 'succeeded']);
    expect(view.goal.state).toBe('failed');
    expect(taskNamed(view, 'Doomed')).toMatchObject({
      state: 'dead',
      attempts: 1,
      error: { code: 'unknown_customer', message: 'the customer does not exist', retryable: false },
    });
    expect(calls).toBe(1);
  });

  it('drains: the task in flight finishes and is recorded, then the agent leaves', async () => {
    const started = deferred();
    const gate = deferred();
    const agent = await startAgent('e2e-drainer', ['e2e_drain'], (a) =>
      a.handle('e2e_drain', async () => {
        started.resolve();
        await gate.promise;
        return 'finished while draining';
      }),
    );
    const goalId = await submit([{ name: 'Long', skills: ['e2e_drain'] }]);
    await started.promise;
    const draining = agent.drain();
    gate.resolve();
    await draining;
    expect(agent.status).toBe('stopped');
    await expect(agent.stopped).resolves.toEqual({ reason: 'drained' });
    const view = await goalIn(goalId, ['succeeded', 'failed']);
    expect(taskNamed(view, 'Long')).toMatchObject({ state: 'succeeded', result: 'finished while draining' });
  });

  it('answers a capability query with the agents that have the skills', async () => {
    const agent = await startAgent('e2e-asker', ['e2e_ask'], (a) => a.handle('e2e_ask', () => null));
    const agents = await agent.queryCapabilities(['e2e_ask']);
    expect(agents).toEqual([{ name: 'e2e-asker', skills: ['e2e_ask'], state: 'active', free_slots: 2 }]);
  });

  it('refuses to start with another key for a name already bound to a key', async () => {
    const key = generateKey();
    const first = await startAgent('e2e-bound', ['e2e_bound'], (a) => a.handle('e2e_bound', () => null), {
      key,
    });
    await first.stop();
    const impostor = await Agent.create({
      orchestrator: wsUrl,
      name: 'e2e-bound',
      skills: ['e2e_bound'],
      key: generateKey(),
      logger: memoryLogger(),
      handleSignals: false,
    });
    running.push(impostor);
    await expect(impostor.start()).rejects.toMatchObject({ code: 'KOS_ERR_IDENTITY_MISMATCH' });
  });
});
