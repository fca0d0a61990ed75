// The SDK's liveness against a real orchestrator process: it answers the orchestrator's pings and
// reports a handler's progress as pulses.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '@kos/protocol/node';
import { Http, poll, startServer, tempDir } from '@kos/testing';
import type { ServerHandle } from '@kos/testing';
import { Agent } from './agent.ts';
import { deferred, memoryLogger } from './test-peer.ts';

let server: ServerHandle;
let api: Http;
const running: Agent[] = [];

beforeAll(async () => {
  const file = path.join(tempDir('kos-cfg-'), 'kos.yaml');
  // Heartbeats every 5 s (a third of the default TTL): between them the agent is silent and pinged.
  writeFileSync(file, 'klp:\n  ping_after_ms: 200\n  pong_timeout_ms: 300\n  pulse_write_interval_ms: 300\n');
  server = await startServer({ configFile: file });
  api = new Http(server.url, server.adminToken);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function startAgent(name: string, skill: string, handler: Parameters<Agent['handle']>[1]) {
  const token = await api.post<{ token: string }>('/orchestration/tokens', {
    role: 'agent',
    agent_name: name,
  });
  const logger = memoryLogger();
  const agent = await Agent.create({
    orchestrator: server.url.replace('http', 'ws') + '/klp',
    name,
    skills: [skill],
    key: generateKey(),
    token: token.body.token,
    logger,
    handleSignals: false,
  });
  agent.handle(skill, handler);
  running.push(agent);
  await agent.start();
  return { agent, logger };
}

/** How many frames of `type` the orchestrator received, from its metrics. */
async function framesReceived(type: string): Promise<number> {
  const text = (await api.get<string>('/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`kos_klp_frames_total{type="${type}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('SDK liveness against a real orchestrator', () => {
  it('answers the orchestrator’s pings, so a quiet agent stays connected', async () => {
    const { agent, logger } = await startAgent('quiet', 'quiet_skill', () => null);
    await poll(async () => (await framesReceived('pong')) >= 3, { what: 'three pongs' });
    expect(agent.connected).toBe(true);
    expect(logger.lines.filter((l) => l.msg.startsWith('connection lost'))).toEqual([]);
  });

  it('reports a handler’s progress as pulses that reach the task view', async () => {
    const started = deferred<string>();
    const more = deferred();
    const finish = deferred();
    await startAgent('progressing', 'progress_skill', async (task, ctx) => {
      await ctx.progress(25, 'a quarter');
      started.resolve(task.id);
      await more.promise;
      for (let pct = 26; pct <= 60; pct++) await ctx.progress(pct);
      await finish.promise;
      return 'done';
    });
    const submitted = await api.post('/orchestration/decompose', {
      goal: 'progress by pulse',
      tasks: [{ name: 'Long', skills: ['progress_skill'] }],
    });
    expect(submitted.status).toBe(201);
    const taskId = await started.promise;
    const view = async () =>
      (await api.get<{ task: { state: string; progress: number | null } }>(`/orchestration/tasks/${taskId}`))
        .body.task;
    expect(await poll(async () => ((await view()).progress === 25 ? view() : undefined))).toMatchObject({
      state: 'running',
    });
    more.resolve();
    // Many pulses in a burst: the orchestrator writes the newest one.
    await poll(async () => (await view()).progress === 60, { what: 'progress 60' });
    expect(await framesReceived('pulse')).toBeGreaterThanOrEqual(36);
    finish.resolve();
    await poll(async () => (await view()).state === 'succeeded', { what: 'the task to succeed' });
  });
});
