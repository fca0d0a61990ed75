import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { useServer } from '@kos/testing';
import { connectHttp, structured } from './mcp-stack.ts';
import { chain, startWorker, tokenOf } from './fleet-stack.ts';

const READ_TOOLS = ['explain_assignment', 'get_goal', 'get_status', 'get_task_tensor', 'list_tasks'];

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
      { name: 'submit_goal', arguments: { goal: 'three jobs in a row', tasks: chain(3), wait_ms: 20_000 } },
      { onprogress: (p) => progress.push(p.progress), timeout: 30_000 },
    );
    expect(submitted.isError).toBeFalsy();
    const answer = structured<GoalAnswer>(submitted);
    expect(answer.finished).toBe(true);
    expect(answer.goal.state).toBe('succeeded');
    // One notification per task settled while the goal ran; the answer itself says it finished.
    expect(progress).toEqual([1, 2]);
    const read = structured<GoalAnswer>(
      await submitter.callTool({ name: 'get_goal', arguments: { goal_id: answer.goal_id } }),
    );
    expect(read.goal.state).toBe('succeeded');
    expect(read.tasks.map((t) => t.result)).toEqual(
      expect.arrayContaining([{ done: 't0' }, { done: 't1' }, { done: 't2' }]),
    );
  });

  it('lists only the read tools to a viewer and refuses a mutating call with KOS_ERR_FORBIDDEN, changing nothing', async () => {
    const viewer = await connectHttp(running.server.url, await tokenOf(running.admin, 'viewer'));
    try {
      const { tools } = await viewer.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
      expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
      const before = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals');
      const refused = await viewer.callTool({
        name: 'submit_goal',
        arguments: { goal: 'not allowed', tasks: chain(1) },
      });
      expect(refused.isError).toBe(true);
      expect(structured<{ error: { code: string } }>(refused).error.code).toBe('KOS_ERR_FORBIDDEN');
      expect(JSON.stringify(refused.content)).toContain('KOS_ERR_FORBIDDEN');
      const after = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals');
      expect(after.body.goals).toEqual(before.body.goals);
    } finally {
      await viewer.close();
    }
  });

  it('lists every tool to an admin, with typed input schemas', async () => {
    const admin = await connectHttp(running.server.url, running.server.adminToken);
    try {
      const { tools } = await admin.listTools();
      expect(tools).toHaveLength(13);
      const submit = tools.find((t) => t.name === 'submit_goal');
      expect(submit?.inputSchema.required).toEqual(['goal']);
      expect(Object.keys(submit?.inputSchema.properties ?? {})).toEqual(
        expect.arrayContaining(['goal', 'tasks', 'policy', 'wait_ms']),
      );
    } finally {
      await admin.close();
    }
  });

  it('answers a use case refusal as a tool error carrying its KOS_ERR_* code', async () => {
    const missing = await submitter.callTool({ name: 'get_goal', arguments: { goal_id: 'no-such-goal' } });
    expect(missing.isError).toBe(true);
    expect(structured<{ error: { code: string; details: unknown } }>(missing).error).toMatchObject({
      code: 'KOS_ERR_GOAL_NOT_FOUND',
      details: { goal_id: 'no-such-goal' },
    });
    const cyclic = await submitter.callTool({
      name: 'submit_goal',
      arguments: {
        goal: 'a cycle',
        tasks: [
          { name: 'a', skills: ['work'], depends_on: ['b'] },
          { name: 'b', skills: ['work'], depends_on: ['a'] },
        ],
      },
    });
    expect(structured<{ error: { code: string } }>(cyclic).error.code).toMatch(/^KOS_ERR_/);
  });

  it('refuses input its schema rejects as a tool error, before any use case runs', async () => {
    const before = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals');
    const bad = await submitter.callTool({
      name: 'submit_goal',
      arguments: { goal: 'x', wait_ms: 10_000_000 },
    });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toMatch(/wait_ms|maximum/);
    const extra = await submitter.callTool({ name: 'get_goal', arguments: { goal_id: 'g', oops: true } });
    expect(extra.isError).toBe(true);
    const after = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals');
    expect(after.body.goals).toEqual(before.body.goals);
  });
});
