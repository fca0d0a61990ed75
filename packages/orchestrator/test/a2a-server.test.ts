import { TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '@kos/testing';
import {
  a2aClient,
  collect,
  data,
  kosCode,
  rawRpc,
  sendRequest,
  statesOf,
  text,
  userMessage,
} from './a2a-stack.ts';
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

  it('cancels a running goal through CancelTask, and answers a second cancel with TaskNotCancelable', async () => {
    const message = userMessage([
      data({ goal: 'a long chain', tasks: chain(3), policy: { max_parallel_tasks: 1 } }),
    ]);
    const sent = await submitter.sendMessage(sendRequest(message, true));
    const id = 'id' in sent ? sent.id : '';
    const cancelled = await submitter.cancelTask({ tenant: '', id, metadata: undefined });
    expect(cancelled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    const goal = await running.admin.get<{ goal: { state: string } }>(`/orchestration/goals/${id}`);
    expect(goal.body.goal.state).toBe('cancelled');
    await expect(submitter.cancelTask({ tenant: '', id, metadata: undefined })).rejects.toMatchObject({
      name: 'TaskNotCancelableError',
    });
  });

  it('surfaces a task awaiting approval as input-required, and an approve message on the task runs it', async () => {
    const admin = await a2aClient(running.server.url, running.server.adminToken);
    const tasks = [{ name: 'gate', skills: ['work'], policy: { approval: { before_run: true } } }];
    const events = await collect(
      admin.sendMessageStream(sendRequest(userMessage([data({ goal: 'gated', tasks })]))),
    );
    expect(statesOf(events).at(-1)).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const first = events[0]?.payload;
    const id = first?.$case === 'task' ? first.value.id : '';
    const answer = userMessage([data({ approve: true, reason: 'looks fine' })], { taskId: id });
    const done = await admin.sendMessage(sendRequest(answer));
    expect('id' in done && done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    // A second answer has nothing to approve: a typed refusal.
    await expect(admin.sendMessage(sendRequest(answer))).rejects.toThrow(
      /KOS_ERR_TASK_NOT_AWAITING_APPROVAL/,
    );
  });

  it('lets a viewer read a task but refuses its messages and cancels with 403 KOS_ERR_FORBIDDEN, changing nothing', async () => {
    const sent = await submitter.sendMessage(
      sendRequest(userMessage([data({ goal: 'one', tasks: chain(1) })])),
    );
    const id = 'id' in sent ? sent.id : '';
    const viewerToken = await tokenOf(running.admin, 'viewer');
    const viewer = await a2aClient(running.server.url, viewerToken);
    expect((await viewer.getTask({ tenant: '', id })).id).toBe(id);
    const before = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals');
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'SendMessage',
      params: { message: { messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'x' }] } },
    });
    const refused = await rawRpc(running.server.url, viewerToken, body, { 'A2A-Version': '1.0' });
    expect(refused.status).toBe(403);
    expect(kosCode(refused)).toBe('KOS_ERR_FORBIDDEN');
    await expect(viewer.cancelTask({ tenant: '', id, metadata: undefined })).rejects.toThrow(
      /KOS_ERR_FORBIDDEN/,
    );
    // Push configs hold the client's webhook secrets: a viewer may not read them either.
    const list = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'ListTaskPushNotificationConfigs',
      params: { taskId: id },
    });
    expect(kosCode(await rawRpc(running.server.url, viewerToken, list, { 'A2A-Version': '1.0' }))).toBe(
      'KOS_ERR_FORBIDDEN',
    );
    expect((await running.admin.get<{ goals: unknown[] }>('/orchestration/goals')).body.goals).toEqual(
      before.body.goals,
    );
  });

  it('speaks A2A v0.3 too: message/send and tasks/get by their v0.3 names', async () => {
    const token = await tokenOf(running.admin, 'submitter');
    const send = {
      jsonrpc: '2.0',
      id: 7,
      method: 'message/send',
      params: {
        message: {
          kind: 'message',
          messageId: 'm03',
          role: 'user',
          parts: [{ kind: 'data', data: { goal: 'old client', tasks: chain(1) } }],
        },
      },
    };
    const sent = await rawRpc(running.server.url, token, JSON.stringify(send));
    const result = sent.body.result as { id: string; status: { state: string } };
    expect(result.status.state).toBe('completed');
    const got = await rawRpc(
      running.server.url,
      token,
      JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tasks/get', params: { id: result.id } }),
    );
    expect((got.body.result as { status: { state: string } }).status.state).toBe('completed');
  });

  it('refuses an unauthenticated request with 401 KOS_ERR_UNAUTHENTICATED', async () => {
    const r = await rawRpc(
      running.server.url,
      null,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } }),
    );
    expect(r.status).toBe(401);
    expect(kosCode(r)).toBe('KOS_ERR_UNAUTHENTICATED');
  });

  it('answers push-config requests with PushNotificationNotSupported while a2a.push_allowlist is empty', async () => {
    const sent = await submitter.sendMessage(
      sendRequest(userMessage([data({ goal: 'one', tasks: chain(1) })]), true),
    );
    const id = 'id' in sent ? sent.id : '';
    // The card says so, and the official client then refuses by itself; the server refuses too.
    expect((await submitter.getAgentCard()).capabilities?.pushNotifications).toBe(false);
    const token = await tokenOf(running.admin, 'submitter');
    const params = { taskId: id, id: 'p', url: 'https://hooks.example.com/a2a' };
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 3,
      method: 'CreateTaskPushNotificationConfig',
      params,
    });
    const refused = await rawRpc(running.server.url, token, body, { 'A2A-Version': '1.0' });
    expect(refused.body.error?.code).toBe(-32003);
    expect(kosCode(refused)).toBe('KOS_ERR_A2A_PUSH_DISABLED');
  });
});
