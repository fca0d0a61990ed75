/**
 * A2A out, registration: bad cards refused with typed errors (nothing registered), `kos a2a add |
 * list | remove` in a real CLI process, and a restart (kill -9) that resumes driving a remote.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll, startServer, useServer, Http } from '@kos/testing';
import { addRemote, receivedTask, startRemote, type AddedAgent, type Remote } from './a2a-remote.ts';
import { configFile, submitDag } from './fixtures.ts';
import { CLI_MAIN, TSX, tokenOf } from './fleet-stack.ts';

const run = promisify(execFile);

/** A web server serving bad cards, in this process: real sockets, hand-made answers. */
function badCards(): Promise<Server> {
  const server = createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    switch (req.url) {
      case '/not-json':
        res.setHeader('content-type', 'application/json');
        res.end('{"name": "half a card",');
        return;
      case '/oversize':
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ name: 'big', description: 'x'.repeat(300 * 1024) }));
        return;
      case '/no-skills':
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ name: 'idle', version: '1', supportedInterfaces: [], skills: [] }));
        return;
      case '/elsewhere':
        // localhost is another host than 127.0.0.1 for the redirect rule, though the same machine.
        res.writeHead(302, { location: `http://localhost:${port}/not-json` });
        res.end();
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = await badCards();
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

interface Refusal {
  error: { code: string; message: string };
}

describe('A2A out: registering remote agents', () => {
  const running = useServer(() => ({ configFile: configFile(['log:\n  level: warn']) }));
  let cards: Server;
  let base: string;
  const remotes: Remote[] = [];
  beforeAll(async () => {
    cards = await badCards();
    base = `http://127.0.0.1:${(cards.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all(remotes.map((r) => r.kill()));
    await new Promise((r) => cards.close(r));
  });

  it('refuses an unreachable, non-JSON, oversize, skill-less or redirected card with a typed error, and registers nothing', async () => {
    const agentsBefore = (await running.admin.get<{ agents: unknown[] }>('/orchestration/agents')).body
      .agents;
    const add = (url: string) => running.admin.post<Refusal>('/orchestration/a2a/agents', { url });
    const answers = [
      await add(`http://127.0.0.1:${await closedPort()}/.well-known/agent-card.json`),
      await add(`${base}/not-json`),
      await add(`${base}/oversize`),
      await add(`${base}/no-skills`),
      await add(`${base}/elsewhere`),
      await add(`${base}/missing`),
      await add('file:///etc/passwd'),
    ];
    expect(answers.map((a) => [a.status, a.body.error.code])).toEqual([
      [502, 'KOS_ERR_A2A_CARD_UNREACHABLE'],
      [422, 'KOS_ERR_A2A_CARD_INVALID'],
      [422, 'KOS_ERR_A2A_CARD_INVALID'],
      [422, 'KOS_ERR_A2A_CARD_INVALID'],
      [502, 'KOS_ERR_A2A_CARD_UNREACHABLE'],
      [502, 'KOS_ERR_A2A_CARD_UNREACHABLE'],
      [400, 'KOS_ERR_VALIDATION'],
    ]);
    expect(answers[4]!.body.error.message).toContain('another host');
    const viewer = running.admin.as(await tokenOf(running.admin, 'submitter'));
    const remote = await startRemote('unwelcome');
    remotes.push(remote);
    const forbidden = await viewer.post<Refusal>('/orchestration/a2a/agents', { url: remote.cardUrl });
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'KOS_ERR_FORBIDDEN']);
    expect((await running.admin.get<{ agents: unknown[] }>('/orchestration/a2a/agents')).body.agents).toEqual(
      [],
    );
    expect((await running.admin.get<{ agents: unknown[] }>('/orchestration/agents')).body.agents).toEqual(
      agentsBefore,
    );
  });

  it('refuses a name that is a KLP or REST agent', async () => {
    const reg = await running.admin.post('/orchestration/register', { context_id: 'taken', skills: ['x'] });
    expect(reg.status).toBe(200);
    const remote = await startRemote('taken');
    remotes.push(remote);
    const res = await running.admin.post<Refusal>('/orchestration/a2a/agents', { url: remote.cardUrl });
    expect([res.status, res.body.error.code]).toEqual([409, 'KOS_ERR_A2A_NAME_TAKEN']);
  });

  it('kos a2a add registers a remote from its card, kos a2a list shows it, kos a2a remove unregisters it', async () => {
    const remote = await startRemote('cli-card', { skills: ['summarize'] });
    remotes.push(remote);
    const kos = (...args: string[]) =>
      run(process.execPath, ['--import', TSX, CLI_MAIN, ...args], {
        env: { ...process.env, KOS_URL: running.server.url, KOS_TOKEN: running.server.adminToken },
      });
    const added = await kos('a2a', 'add', remote.cardUrl, '--name', 'summarizer', '--remote-token', 's3cret');
    expect(added.stdout).toContain('registered remote A2A agent summarizer');
    expect(added.stdout).toMatch(/skills\s+summarize, tag-summarize/);
    const listed = await kos('a2a', 'list');
    expect(listed.stdout).toMatch(/summarizer\s+active\s+summarize,tag-summarize\s+0\/5\s+yes/);
    expect(listed.stdout).not.toContain('s3cret');
    const removed = await kos('a2a', 'remove', 'summarizer');
    expect(removed.stdout).toContain('remote A2A agent summarizer removed; 0 lease(s) revoked');
    const left = await running.admin.get<{ agents: AddedAgent[] }>('/orchestration/a2a/agents');
    expect(left.body.agents.map((a) => a.agent.name)).not.toContain('summarizer');
    // Removed, its name is free again: added once more, it is the same agent, active again.
    const before = (
      await running.admin.get<{ agents: { id: string; name: string }[] }>('/orchestration/agents')
    ).body;
    const back = await addRemote(running.admin, remote, { name: 'summarizer' });
    expect(back).toMatchObject({ created: true, agent: { name: 'summarizer', state: 'active' } });
    expect(back.agent.id).toBe(before.agents.find((a) => a.name === 'summarizer')!.id);
  }, 60_000);
});

describe('A2A out: remotes from the configuration', () => {
  it('registers the remotes of a2a.agents at start, with the token of token_file, and drives them', async () => {
    const remote = await startRemote('configured', { skills: ['conf'], token: 'from-a-file' });
    const config = configFile([
      `a2a:\n  agents:\n    - url: ${remote.cardUrl}\n      name: from-config\n      token_file: remote.token`,
      'log:\n  level: warn',
    ]);
    writeFileSync(path.join(path.dirname(config), 'remote.token'), 'from-a-file\n');
    const server = await startServer({ configFile: config });
    try {
      const admin = new Http(server.url, server.adminToken);
      const listed = await poll(async () => {
        const r = await admin.get<{ agents: AddedAgent[] }>('/orchestration/a2a/agents');
        return r.body.agents.find((a) => a.agent.name === 'from-config');
      });
      expect(listed.remote).toMatchObject({ card_url: remote.cardUrl, has_token: true });
      const dag = await submitDag(admin, [{ name: 'c', skills: ['conf'] }]);
      await poll(
        async () =>
          (await admin.get<{ goal: { state: string } }>(`/orchestration/goals/${dag.goal_id}`)).body.goal
            .state === 'succeeded',
        { what: 'the goal to succeed on the configured remote (its token accepted)' },
      );
    } finally {
      await server.stop();
      server.cleanup();
      await remote.kill();
    }
  }, 60_000);
});

describe('A2A out: a restart of the orchestrator', () => {
  it('resumes driving a remote after kill -9: the held lease is sent again with the same message id and completes once', async () => {
    const config = configFile(['leases:\n  ttl_ms: 20000', 'log:\n  level: warn']);
    const remote = await startRemote('steady', { skills: ['steady'], delayMs: 1500 });
    let server = await startServer({ configFile: config });
    try {
      const admin = new Http(server.url, server.adminToken);
      await addRemote(admin, remote);
      const dag = await submitDag(admin, [{ name: 'long', skills: ['steady'] }]);
      const taskId = dag.subtasks[0]!.id;
      await receivedTask(remote, taskId);
      await server.kill();
      server = await startServer({ configFile: config, dataDir: server.dataDir });
      const again = new Http(server.url, server.adminToken);
      await poll(
        async () =>
          (await again.get<{ goal: { state: string } }>(`/orchestration/goals/${dag.goal_id}`)).body.goal
            .state === 'succeeded',
        { timeoutMs: 20_000, what: 'the goal to succeed after the restart' },
      );
      expect(remote.received.filter((r) => r.task === taskId).map((r) => r.messageId)).toEqual([
        `kos:${taskId}:1`,
        `kos:${taskId}:1`,
      ]);
      const task = await again.get<{ history: { kind: string; data: Record<string, unknown> }[] }>(
        `/orchestration/tasks/${taskId}`,
      );
      expect(
        task.body.history.filter((e) => e.kind === 'task.state' && e.data['to'] === 'succeeded'),
      ).toHaveLength(1);
    } finally {
      await server.stop();
      server.cleanup();
      await remote.kill();
    }
  }, 60_000);
});
