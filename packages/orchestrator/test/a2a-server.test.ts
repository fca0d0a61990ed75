import { TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '@kos/testing';
import { a2aClient, collect, data, sendRequest, statesOf, text, userMessage } from './a2a-stack.ts';
import { chain, startWorker, tokenOf } from './fleet-stack.ts';

describe('kOS as an A2A server, driven by the official A2A client', () => {
  const running = useServer();
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let submitter: Client;

  beforeAll(async () => {
    worker = await startWorker(running.server, running.admin, 'a2a-worker');
    submitter = await a2aClient(running.server.url, await tokenOf(running.admin, 'submitter'));
  });
  afterAll(async () => {
    await worker?.stop();
  });

  it('serves an Agent Card with the templates and the live fleet as skills, bearer security and the JSON-RPC URL', async () => {
    const card = await submitter.getAgentCard();
    expect(card.supportedInterfaces[0]).toMatchObject({
      protocolBinding: 'JSONRPC',
      url: `${running.server.url}/a2a`,
    });
    const ids = card.skills.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['template:analysis', 'template:generic', 'fleet:work']));
    expect(Object.keys(card.securitySchemes)).toEqual(['bearer']);
    expect(card.capabilities?.streaming).toBe(true);
  });

  it('streams a goal sent as an explicit DAG to completion, with the goal results as the final artifact', async () => {
    const message = userMessage([data({ goal: 'three jobs in a row', tasks: chain(3) })], {
      contextId: 'ctx-stream',
    });
    const events = await collect(submitter.sendMessageStream(sendRequest(message)));
    const states = statesOf(events);
    expect(states[0]).toBe(TaskState.TASK_STATE_SUBMITTED);
    expect(states.at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(states).toContain(TaskState.TASK_STATE_WORKING);
    const first = events[0]?.payload;
    expect(first?.$case).toBe('task');
    const taskId = first?.$case === 'task' ? first.value.id : '';
    expect(first?.$case === 'task' && first.value.contextId).toBe('ctx-stream');
    const artifact = events.find((e) => e.payload?.$case === 'artifactUpdate')?.payload;
    const part =
      artifact?.$case === 'artifactUpdate' ? artifact.value.artifact?.parts[0]?.content : undefined;
    expect(part?.$case === 'data' && part.value).toMatchObject({
      results: { t0: { done: 't0' }, t1: { done: 't1' }, t2: { done: 't2' } },
    });
    // The A2A task is the goal: same id, and REST sees it succeeded.
    const goal = await running.admin.get<{ goal: { state: string } }>(`/orchestration/goals/${taskId}`);
    expect(goal.body.goal.state).toBe('succeeded');
    const read = await submitter.getTask({ tenant: '', id: taskId });
    expect(read.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(read.contextId).toBe('ctx-stream');
  });

  it('decomposes a text message by the templates, as a REST submission without tasks is', async () => {
    const sent = await submitter.sendMessage(
      sendRequest(userMessage([text('analyze the quarterly trends')]), true),
    );
    expect('id' in sent && sent.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
    const id = 'id' in sent ? sent.id : '';
    const goal = await running.admin.get<{ goal: { template: string }; tasks: { name: string }[] }>(
      `/orchestration/goals/${id}`,
    );
    expect(goal.body.goal.template).toBe('analysis');
    expect(goal.body.tasks.map((t) => t.name)).toEqual([
      'Data Collection',
      'Data Analysis',
      'Report Generation',
    ]);
    await running.admin.post(`/orchestration/goals/${id}/cancel`, {});
  });
});
