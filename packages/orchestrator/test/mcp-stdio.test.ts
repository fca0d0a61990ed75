import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { useServer } from '@kos/testing';
import { MODERN, structured } from './mcp-stack.ts';
import { CLI_MAIN, chain, startWorker, tokenOf, TSX } from './fleet-stack.ts';

/** The official client's stdio transport spawning `kos mcp`, as a desktop client does. */
async function kosMcp(url: string, token: string, options = {}): Promise<Client> {
  const client = new Client({ name: 'kos-mcp-stdio-test', version: '0.0.0' }, options);
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', TSX, CLI_MAIN, 'mcp', '--url', url],
      env: { ...process.env, KOS_TOKEN: token } as Record<string, string>,
      stderr: 'pipe',
    }),
  );
  return client;
}

describe('kos mcp over stdio, bridged to a running orchestrator', () => {
  const running = useServer();
  let worker: Awaited<ReturnType<typeof startWorker>>;

  beforeAll(async () => {
    worker = await startWorker(running.server, running.admin, 'mcp-stdio-worker');
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('lists the tools of its token’s role and runs a goal to completion', async () => {
    const viewer = await kosMcp(running.server.url, await tokenOf(running.admin, 'viewer'));
    try {
      const { tools } = await viewer.listTools();
      expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    } finally {
      await viewer.close();
    }
    const client = await kosMcp(running.server.url, await tokenOf(running.admin, 'submitter'));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['submit_goal', 'get_goal', 'cancel_goal']),
      );
      const progress: number[] = [];
      const submitted = await client.callTool(
        {
          name: 'submit_goal',
          arguments: { goal: 'three jobs in a row over stdio', tasks: chain(3), wait_ms: 20_000 },
        },
        { onprogress: (p) => progress.push(p.progress), timeout: 30_000 },
      );
      const answer = structured<{ goal_id: string; finished: boolean; goal: { state: string } }>(submitted);
      expect(answer).toMatchObject({ finished: true, goal: { state: 'succeeded' } });
      expect(progress).toEqual([1, 2]);
      const read = await client.callTool({ name: 'get_goal', arguments: { goal_id: answer.goal_id } });
      expect(structured<{ goal: { state: string } }>(read).goal.state).toBe('succeeded');
    } finally {
      await client.close();
    }
  });

  it('carries 2026-07-28 subscriptions through the bridge: resources/updated reaches the stdio client', async () => {
    const client = await kosMcp(running.server.url, running.server.adminToken, MODERN);
    try {
      const submitted = await client.callTool({
        name: 'submit_goal',
        arguments: { goal: 'waits for an agent', tasks: [{ name: 'only', skills: ['nobody'] }] },
      });
      const uri = `kos://goals/${structured<{ goal_id: string }>(submitted).goal_id}`;
      const heard = new Promise<string>((resolve) =>
        client.setNotificationHandler('notifications/resources/updated', (n) => resolve(n.params.uri)),
      );
      const subscription = await client.listen({ resourceSubscriptions: [uri] });
      await client.callTool({ name: 'cancel_goal', arguments: { goal_id: uri.split('/').at(-1) } });
      expect(await heard).toBe(uri);
      await subscription.close();
    } finally {
      await client.close();
    }
  });

  it('answers a request with a JSON-RPC error when the orchestrator refuses its token', async () => {
    await expect(kosMcp(running.server.url, 'not-a-token')).rejects.toThrow(
      /401|KOS_ERR_UNAUTHENTICATED|refused/,
    );
  });
});
