import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { useServer } from '@kos/testing';
import { connectHttp, dag, startWorker, structured, tokenOf } from './mcp-stack.ts';

interface GoalAnswer {
  goal_id: string;
  finished: boolean;
  goal: { id: string; state: string; succeeded_count: number };
  tasks: { id: string; state: string; result: unknown }[];
}

describe('the MCP server at /mcp over Streamable HTTP', () => {
  const running = useServer();
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let submitter: Client;

  beforeAll(async () => {
    worker = await startWorker(running.server, running.admin, 'mcp-http-worker');
    submitter = await connectHttp(running.server.url, await tokenOf(running.admin, 'submitter'));
  });
  afterAll(async () => {
    await submitter?.close();
    await worker?.stop();
  });

  it('runs a goal to completion: submit_goal waits with progress, get_goal shows it succeeded', async () => {
    const progress: number[] = [];
    const submitted = await submitter.callTool(
      { name: 'submit_goal', arguments: { goal: 'three independent jobs', tasks: dag(3), wait_ms: 20_000 } },
      { onprogress: (p) => progress.push(p.progress), timeout: 30_000 },
    );
    expect(submitted.isError).toBeFalsy();
    const answer = structured<GoalAnswer>(submitted);
    expect(answer.finished).toBe(true);
    expect(answer.goal.state).toBe('succeeded');
    expect(progress.at(-1)).toBe(3);
    const read = structured<GoalAnswer>(
      await submitter.callTool({ name: 'get_goal', arguments: { goal_id: answer.goal_id } }),
    );
    expect(read.goal.state).toBe('succeeded');
    expect(read.tasks.map((t) => t.result)).toEqual(
      expect.arrayContaining([{ done: 't0' }, { done: 't1' }, { done: 't2' }]),
    );
  });
});
