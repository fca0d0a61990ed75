/**
 * The response schemas of @kos/contracts against a real orchestrator (in this process, on a
 * temporary SQLite file): a goal is driven through its life by a KLP agent (the SDK) and a REST
 * agent, every route of RESPONSES is called, and each answer must match the schema of its status.
 * Fastify's own serializer must then give each answer back unchanged from its schema alone (it
 * drops unnamed fields and coerces types), and every route Fastify registers must be in RESPONSES.
 */
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as FastifyModule from 'fastify';
import { Value } from 'typebox/value';
import { Agent, TaskFailure, TaskHandoff } from '@kos/agent';
import {
  RESPONSES,
  responseSchema,
  type AgentListResponse,
  type CreateTokenResponse,
  type HeartbeatResponse,
  type ReceiptsResponse,
  type RegisterAgentResponse,
  type Route,
  type StatusResponse,
  type SubmitGoalResponse,
  type TaskResponse,
  type WireTask,
} from '@kos/contracts';
import { Orchestrator, resolveConfig } from '@kos/orchestrator';
import { generateKey } from '@kos/protocol/node';
import { Http, poll, tempDir, type Answer } from '@kos/testing';
import { expectReceipts, previewAndBulkCancel, rotateAndResetKey } from './contracts-dashboard.ts';
import { readEverything } from './contracts-reads.ts';
import { addListRemoveA2a } from './contracts-a2a.ts';
import { configFile } from './fixtures.ts';
import { firstChunk, serializerChanges, upgradeStatus } from './wire-checks.ts';

/** `METHOD /path` of every route Fastify registers, through an onRoute hook on each instance. */
const registered = vi.hoisted(() => new Set<string>());
vi.mock('fastify', async (importOriginal) => {
  const real = await importOriginal<typeof FastifyModule>();
  const logRoutes = ((options?: FastifyModule.FastifyServerOptions) => {
    const app = real.default(options);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) registered.add(`${method} ${route.url}`);
    });
    return app;
  }) as typeof real.default;
  return { ...real, default: logRoutes };
});

interface Sample {
  route: Route;
  status: number;
  body: unknown;
}

/** At most this many answers kept per route and status: the drive polls some routes often. */
const KEEP = 20;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('the response schemas of @kos/contracts', () => {
  const dataDir = tempDir('kos-contracts-');
  const samples: Sample[] = [];
  let served: string[] = [];
  let orch: Orchestrator;
  let admin: Http;
  let agent: Agent | undefined;

  /** Calls `route` at `url` (its path with ids) and keeps the answer for the checks below. */
  async function call<T = unknown>(
    route: Route,
    url: string,
    options: { body?: unknown; as?: Http } = {},
  ): Promise<Answer<T>> {
    const method = route.slice(0, route.indexOf(' '));
    const answer = await (options.as ?? admin).request<T>(method, url, options.body);
    const kept = samples.filter((s) => s.route === route && s.status === answer.status).length;
    if (kept < KEEP) samples.push({ route, status: answer.status, body: answer.body });
    return answer;
  }
  const assign = () => call('POST /orchestration/assign', '/orchestration/assign');
  const task = async (id: string) =>
    (await call<TaskResponse>('GET /orchestration/tasks/:id', `/orchestration/tasks/${id}`)).body.task;

  beforeAll(async () => {
    const config = configFile([
      'log:\n  level: silent',
      // Rounds only on POST /assign, so that its answer lists the leases it grants.
      'scheduler:\n  auto_assign: false',
      // KLP heartbeats (their signed frames are the receipt heads) every second; a report soon.
      'heartbeat:\n  ttl_ms: 3000',
      'reconciler:\n  interval_ms: 200',
      // The dashboard's files are no API routes (dashboard-serving.test.ts covers them).
      'dashboard:\n  enabled: false',
    ]);
    orch = await Orchestrator.start(
      resolveConfig({ env: {}, flags: { port: 0, host: '127.0.0.1', dataDir, configFile: config } }),
    );
    // /mcp and /a2a are JSON-RPC endpoints (the MCP and A2A servers, docs/interop.md), not REST
    // routes: their answers are JSON-RPC messages, so they have no place in RESPONSES nor in
    // docs/api.md's table; nor has the A2A Agent Card, whose shape is the A2A spec's.
    const jsonRpc = (r: string) =>
      r.endsWith(' /mcp') || r.endsWith(' /a2a') || r.endsWith(' /.well-known/agent-card.json');
    served = [...registered].filter((r) => !jsonRpc(r));
    const adminToken = (await readFile(orch.adminTokenPath, 'utf8')).trim();
    admin = new Http(orch.url, adminToken);
    const tokenFor = async (name: string) =>
      (
        await call<CreateTokenResponse>('POST /orchestration/tokens', '/orchestration/tokens', {
          body: { role: 'agent', agent_name: name, label: `contracts ${name}` },
        })
      ).body.token;

    // A KLP agent: progress and results, a non-retryable failure (retried by an operator), a decline.
    let flakyRuns = 0;
    const klpKey = generateKey();
    agent = await Agent.create({
      orchestrator: `${orch.url.replace(/^http/, 'ws')}/klp`,
      name: 'klp-worker',
      skills: ['work', 'flaky', 'picky'],
      key: klpKey,
      token: await tokenFor('klp-worker'),
      maxParallel: 4,
      handleSignals: false,
      logger: quiet,
    });
    agent.handle('work', async (t, ctx) => {
      await ctx.progress(50, 'half way');
      return { done: t.name };
    });
    agent.handle('flaky', async () => {
      flakyRuns++;
      if (flakyRuns === 1) throw TaskFailure.nonRetryable('the input is bad', { code: 'bad_input' });
      return 'fixed';
    });
    agent.handle('picky', async () => {
      throw TaskHandoff.decline('not my kind of task');
    });
    await agent.start();

    // A REST agent (no key: its results are unproven).
    const rest = admin.as(await tokenFor('rest-worker'));
    const reg = await call<RegisterAgentResponse>('POST /orchestration/register', '/orchestration/register', {
      as: rest,
      body: { context_id: 'rest-worker', skills: ['manual'], max_parallel: 2 },
    });
    const restId = reg.body.agent_id;

    const gate = { approval: { before_run: true } };
    const submitted = await call<SubmitGoalResponse>(
      'POST /orchestration/decompose',
      '/orchestration/decompose',
      {
        body: {
          goal: 'tour every route',
          context: { quarter: 'Q4' },
          priority: 'high',
          policy: { on_task_death: 'continue', max_parallel_tasks: 20, weight: 2 },
          tasks: [
            { name: 'w1', skills: ['work'], input: { n: 1 }, estimated_duration_ms: 90_000 },
            { name: 'w2', skills: ['work'], depends_on: ['w1'], priority: 'critical' },
            { name: 'f1', skills: ['flaky'], policy: { retry: { max_attempts: 2, jitter: false } } },
            { name: 'gate-yes', skills: ['work'], policy: gate },
            { name: 'gate-no', skills: ['work'], policy: gate },
            { name: 'm1', skills: ['manual'] },
            { name: 'm2', skills: ['manual'] },
            { name: 'picky', skills: ['picky'], policy: { concurrency: { key: 'picky', limit: 1 } } },
            {
              name: 'gpu',
              skills: ['gpu'],
              policy: {
                fallback: { skills: ['cuda'], after_attempts: 1 },
                timeouts: { schedule_to_start_ms: 600_000 },
              },
            },
          ],
        },
      },
    );
    const goalId = submitted.body.goal_id;
    const id = (name: string) => submitted.body.subtasks.find((t) => t.name === name)!.id;
    // From a template; nobody has its skills: cancelled below.
    const other = await call<SubmitGoalResponse>(
      'POST /orchestration/decompose',
      '/orchestration/decompose',
      {
        body: { goal: 'analyze customer data trends', context: 'Q4 2024', priority: 'LOW' },
      },
    );
    await readEverything(call, goalId, [restId]);

    // The REST agent completes one lease, fails the other, is drained, leaves, is quarantined and released.
    const leases = await poll(async () => {
      await assign();
      const hb = await call<HeartbeatResponse>('POST /orchestration/heartbeat', '/orchestration/heartbeat', {
        as: rest,
        body: { agent_id: restId },
      });
      return hb.body.leases.length === 2 ? hb.body.leases : undefined;
    });
    await call('GET /orchestration/agents/:id', `/orchestration/agents/${restId}`);
    const [m1, m2] = ['m1', 'm2'].map((n) => leases.find((l) => l.name === n)!);
    await call('POST /orchestration/complete', '/orchestration/complete', {
      as: rest,
      body: { subtask_uuid: m1!.subtask_uuid, result: { rows: 3 }, epoch: m1!.epoch },
    });
    await call('POST /orchestration/fail', '/orchestration/fail', {
      as: rest,
      body: { subtask_uuid: m2!.subtask_uuid, error: { message: 'disk full', code: 'io', retryable: false } },
    });
    await call('POST /orchestration/agents/:id/drain', `/orchestration/agents/${restId}/drain`, {
      body: { reason: 'checking the contracts' },
    });
    await call('POST /orchestration/unregister', '/orchestration/unregister', {
      as: rest,
      body: { agent_id: restId },
    });
    await call('POST /orchestration/agents/:id/quarantine', `/orchestration/agents/${restId}/quarantine`, {
      body: { reason: 'checking the contracts' },
    });
    await call('GET /orchestration/agents', '/orchestration/agents?state=quarantined');
    await call('POST /orchestration/agents/:id/release', `/orchestration/agents/${restId}/release`, {
      body: { reason: 'checked' },
    });

    // The KLP agent's share: an operator retries the dead task, approves one gate and denies the other.
    await poll(
      async () => {
        await assign();
        return (await task(id('f1'))).state === 'dead';
      },
      { what: 'f1 dead' },
    );
    await call('POST /orchestration/tasks/:id/retry', `/orchestration/tasks/${id('f1')}/retry`, {
      body: { reason: 'input fixed' },
    });
    await call('POST /orchestration/tasks/:id/approve', `/orchestration/tasks/${id('gate-yes')}/approve`, {
      body: { reason: 'go' },
    });
    await call('POST /orchestration/tasks/:id/deny', `/orchestration/tasks/${id('gate-no')}/deny`, {
      body: {},
    });
    const done = (t: WireTask) => t.state === 'succeeded';
    await poll(
      async () => {
        await assign();
        const picky = await task(id('picky'));
        const settled = await Promise.all(
          ['w1', 'w2', 'f1', 'gate-yes'].map(async (n) => done(await task(id(n)))),
        );
        return settled.every(Boolean) && picky.delegations.length > 0;
      },
      { what: 'the KLP agent to finish its tasks and decline one' },
    );
    const fleet = await call<AgentListResponse>('GET /orchestration/agents', '/orchestration/agents');
    const agentIds = fleet.body.agents.map((a) => a.id);
    const log = await poll(
      async () => {
        const r = await call<ReceiptsResponse>(
          'GET /orchestration/audit/receipts',
          `/orchestration/audit/receipts?goal_id=${goalId}`,
        );
        return r.body.heads.length > 0 && r.body.unproven.length > 0 ? r.body : undefined;
      },
      { what: 'a signed receipt head' },
    );
    expect(log.results.length).toBeGreaterThan(0);
    await expectReceipts(call, id('w1'), m1!.subtask_uuid);
    await poll(
      async () => {
        const s = await call<StatusResponse>('GET /orchestration/status', '/orchestration/status');
        return s.body.reconciler.violations !== null;
      },
      { what: 'a reconciler run' },
    );
    await readEverything(call, goalId, agentIds);

    // What still waits is cancelled: one task, then the other goal.
    await call('POST /orchestration/tasks/:id/cancel', `/orchestration/tasks/${id('picky')}/cancel`, {
      body: { reason: 'nobody will take it' },
    });
    await call('POST /orchestration/tasks/:id/cancel', `/orchestration/tasks/${id('gpu')}/cancel`, {
      body: {},
    });
    await call('POST /orchestration/goals/:id/cancel', `/orchestration/goals/${other.body.goal_id}/cancel`, {
      body: { reason: 'not today' },
    });
    await readEverything(call, goalId, agentIds);

    await previewAndBulkCancel(call);
    // Last: the agent's session ends with its key's rotation.
    const klpId = fleet.body.agents.find((a) => a.name === 'klp-worker')!.id;
    await rotateAndResetKey(call, klpId, 'klp-worker', klpKey);
    await addListRemoveA2a(call);
    await call('POST /orchestration/session', '/orchestration/session', {
      body: { token: adminToken },
    });
    await call('DELETE /orchestration/session', '/orchestration/session');
    await call('GET /healthz', '/healthz');
    await call('GET /readyz', '/readyz');
    await call('GET /metrics', '/metrics');
    await call('GET /openapi.json', '/openapi.json');
    samples.push({
      route: 'GET /orchestration/events/stream',
      ...(await firstChunk(`${orch.url}/orchestration/events/stream?after=0`, adminToken)),
    });
    samples.push({
      route: 'GET /klp',
      status: await upgradeStatus(`${orch.url.replace(/^http/, 'ws')}/klp`),
      body: null,
    });
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    await orch?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses with the error shape: a missing task, a bad body, no token, a finished task', async () => {
    const refusals = [
      await call('GET /orchestration/tasks/:id', '/orchestration/tasks/no-such-task'),
      await call('POST /orchestration/decompose', '/orchestration/decompose', { body: { tasks: [] } }),
      await call('GET /orchestration/goals', '/orchestration/goals', { as: admin.as(undefined) }),
      await call('GET /orchestration/goals', '/orchestration/goals?limit=0'),
      await call(
        'POST /orchestration/tasks/:id/approve',
        `/orchestration/tasks/${await someTask('succeeded')}/approve`,
        { body: {} },
      ),
    ];
    expect(refusals.map((r) => [r.status, (r.body as { error: { code: string } }).error.code])).toEqual([
      [404, 'KOS_ERR_TASK_NOT_FOUND'],
      [400, 'KOS_ERR_VALIDATION'],
      [401, 'KOS_ERR_UNAUTHENTICATED'],
      [400, 'KOS_ERR_VALIDATION'],
      [409, 'KOS_ERR_TASK_NOT_AWAITING_APPROVAL'],
    ]);
  });

  it('gets from every route in RESPONSES a successful answer', () => {
    const answered = new Set(samples.filter((s) => s.status < 300).map((s) => s.route));
    expect(Object.keys(RESPONSES).filter((r) => !answered.has(r as Route))).toEqual([]);
  });

  it('finds every answer matching the schema of its route and status', () => {
    const problems = samples.flatMap((s) => {
      const schema = responseSchema(s.route, s.status);
      if (schema === undefined) return [`${s.route} answered ${s.status}, which RESPONSES does not declare`];
      return [...Value.Errors(schema, s.body)]
        .slice(0, 5)
        .map((e) => `${s.route} ${s.status}: ${e.instancePath || '/'} ${e.message}`);
    });
    expect(problems).toEqual([]);
  });

  it('lists in RESPONSES every route Fastify registers, and no other', () => {
    // Fastify adds a HEAD twin to each GET route: the same answer without a body.
    const routes = served.filter((r) => !(r.startsWith('HEAD ') && served.includes(`GET ${r.slice(5)}`)));
    expect(routes.length).toBeGreaterThan(20);
    expect(new Set(routes)).toEqual(new Set(Object.keys(RESPONSES)));
  });

  it("gets every JSON answer back unchanged from Fastify's serializer and its schema", async () => {
    expect(await serializerChanges(samples)).toEqual([]);
  });

  /** The id of a task in `state`, from the answers seen so far. */
  async function someTask(state: WireTask['state']): Promise<string> {
    const list = await call<{ tasks: WireTask[] }>(
      'GET /orchestration/tasks',
      `/orchestration/tasks?state=${state}`,
    );
    return list.body.tasks[0]!.id;
  }
});
