import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll, tempDir, useServer } from '@kos/testing';
import { kosCode, rawRpc } from './a2a-stack.ts';
import { tokenOf } from './fleet-stack.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: { task?: { id: string; status?: { state: string }; artifacts?: unknown[] } };
}

/** A local HTTP server standing for the client's webhook: it records what it receives. */
async function receiver(): Promise<{ server: Server; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(text) as Received['body'],
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, received };
}

describe('A2A push notifications', () => {
  let hook: Awaited<ReturnType<typeof receiver>>;
  let other: Awaited<ReturnType<typeof receiver>>;
  let token: string;
  beforeAll(async () => {
    hook = await receiver();
    other = await receiver();
  });
  const running = useServer(() => {
    const configFile = path.join(tempDir('kos-a2a-push-'), 'kos.yaml');
    // The allowlist names 127.0.0.1 and the receiver's port explicitly: loopback is refused otherwise.
    writeFileSync(configFile, `a2a:\n  push_allowlist: [http://127.0.0.1:${hook.port}/hooks/]\n`);
    return { configFile };
  });
  afterAll(async () => {
    for (const r of [hook, other]) await new Promise((done) => r?.server.close(done));
  });

  const rpc = (method: string, params: unknown) =>
    rawRpc(running.server.url, token, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), {
      'A2A-Version': '1.0',
    });

  it('posts each change of a task to an allowlisted URL until it completes, and never to another', async () => {
    token = await tokenOf(running.admin, 'submitter');
    const gated = [{ name: 'gate', skills: ['nobody'], policy: { approval: { before_run: true } } }];
    const sent = await rpc('SendMessage', {
      message: { messageId: 'm', role: 'ROLE_USER', parts: [{ data: { goal: 'pushed', tasks: gated } }] },
      configuration: { returnImmediately: true },
    });
    const taskId = (sent.body.result as { task: { id: string } }).task.id;
    const refused = await rpc('CreateTaskPushNotificationConfig', {
      taskId,
      id: 'elsewhere',
      url: `http://127.0.0.1:${other.port}/hooks/x`,
    });
    expect(kosCode(refused)).toBe('KOS_ERR_A2A_PUSH_URL_REFUSED');
    const set = await rpc('CreateTaskPushNotificationConfig', {
      taskId,
      id: 'mine',
      url: `http://127.0.0.1:${hook.port}/hooks/a2a`,
      token: 'secret-echo',
    });
    expect(set.body.error).toBeUndefined();
    // Setting the config is an event of the goal: its current state (input-required) is pushed.
    await poll(async () => (hook.received.length >= 1 ? true : undefined), { what: 'a first push' });
    expect(hook.received[0]?.body.task?.status?.state).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(hook.received[0]?.headers['x-a2a-notification-token']).toBe('secret-echo');
    expect(hook.received[0]?.path).toBe('/hooks/a2a');
    // A config added later gets the current state at once, though it did not change.
    const late = await rpc('CreateTaskPushNotificationConfig', {
      taskId,
      id: 'late',
      url: `http://127.0.0.1:${hook.port}/hooks/late`,
    });
    expect(late.body.error).toBeUndefined();
    const lateFirst = await poll(async () => hook.received.find((r) => r.path === '/hooks/late'), {
      what: 'a first push to the later config',
    });
    expect(lateFirst.body.task?.status?.state).toBe('TASK_STATE_INPUT_REQUIRED');
    // The operator denies the task: the goal fails, and that is pushed with the results artifact.
    const gate = await running.admin.get<{ tasks: { id: string }[] }>(`/orchestration/goals/${taskId}`);
    await running.admin.post(`/orchestration/tasks/${gate.body.tasks[0]!.id}/deny`, { reason: 'no' });
    const final = (p: string) =>
      hook.received.find((r) => r.path === p && r.body.task?.status?.state === 'TASK_STATE_FAILED');
    const last = await poll(async () => final('/hooks/a2a'), { what: 'the final push' });
    await poll(async () => final('/hooks/late'), { what: 'the final push to the later config' });
    expect(last.body.task?.id).toBe(taskId);
    expect(last.body.task?.artifacts).toHaveLength(1);
    expect(other.received).toEqual([]);
  });
});
