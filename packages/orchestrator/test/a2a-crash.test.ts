import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { TaskState } from '@a2a-js/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { Http, poll, startServer, tempDir, type ServerHandle } from '@kos/testing';
import { a2aClient, collect, data, sendRequest, statesOf, userMessage } from './a2a-stack.ts';
import { chain, startWorker, tokenOf } from './fleet-stack.ts';

/** Short TTLs, so that the lease held by the agent when the orchestrator died ends soon after. */
const CONFIG = 'heartbeat:\n  ttl_ms: 2000\n  sweep_interval_ms: 200\nleases:\n  ttl_ms: 3000\n';

describe('an A2A task across kill -9 of the orchestrator', () => {
  const servers: ServerHandle[] = [];
  const workers: Awaited<ReturnType<typeof startWorker>>[] = [];
  afterAll(async () => {
    for (const w of workers) await w.stop();
    for (const s of servers) await s.stop();
    servers[0]?.cleanup();
  });

  it('answers GetTask with the goal’s state after a restart on the same data, and the goal completes', async () => {
    const configFile = path.join(tempDir('kos-a2a-crash-'), 'kos.yaml');
    writeFileSync(configFile, CONFIG);
    const first = await startServer({ configFile });
    servers.push(first);
    const port = Number(new URL(first.url).port);
    const admin = new Http(first.url, first.adminToken);
    workers.push(await startWorker(first, admin, 'a2a-crash-worker', 700));
    const token = await tokenOf(admin, 'submitter');
    const client = await a2aClient(first.url, token);
    const message = userMessage([data({ goal: 'survive a crash', tasks: chain(4) })], {
      contextId: 'ctx-crash',
    });
    const sent = await client.sendMessage(sendRequest(message, true));
    const id = 'id' in sent ? sent.id : '';
    // Mid-goal: at least one task done, not all.
    await poll(
      async () => {
        const r = await admin.get<{ goal: { succeeded_count: number } }>(`/orchestration/goals/${id}`);
        return r.body.goal.succeeded_count >= 1 ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'a first task succeeded' },
    );

    await first.kill();
    const again = await startServer({ dataDir: first.dataDir, port, configFile });
    servers.push(again);

    const after = await a2aClient(again.url, token);
    const task = await after.getTask({ tenant: '', id });
    expect(task.contextId).toBe('ctx-crash');
    const goal = await new Http(again.url, again.adminToken).get<{
      goal: { state: string; succeeded_count: number };
    }>(`/orchestration/goals/${id}`);
    // The right state: what the goal's own state maps to (running and under way → working).
    expect(goal.body.goal.state).toBe('running');
    expect(goal.body.goal.succeeded_count).toBeGreaterThanOrEqual(1);
    expect(task.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    // The agent reconnects by itself; the stream follows the goal to its end.
    const events = await collect(after.resubscribeTask({ tenant: '', id }));
    expect(statesOf(events).at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
    const done = await after.getTask({ tenant: '', id });
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(done.artifacts[0]?.parts[0]?.content).toMatchObject({
      $case: 'data',
      value: { results: { t0: { done: 't0' }, t3: { done: 't3' } } },
    });
  }, 60_000);

  it('ends open streams when the orchestrator stops (SIGTERM), so that it stops', async () => {
    const server = await startServer();
    servers.push(server);
    const client = await a2aClient(server.url, server.adminToken);
    // Nobody has the skill: the goal waits, and its stream would stay open.
    const message = userMessage([
      data({ goal: 'waits forever', tasks: [{ name: 'w', skills: ['nobody'] }] }),
    ]);
    const stream = client.sendMessageStream(sendRequest(message));
    const first = await stream.next();
    expect(first.done).toBe(false);
    const rest = collect({ [Symbol.asyncIterator]: () => stream });
    await server.stop();
    expect(server.process.exitCode).toBe(0);
    // The stream ended (or its connection did); it does not hang.
    await rest.catch(() => []);
  });
});
