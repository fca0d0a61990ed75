import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http, startServer, tempDir, type ServerHandle } from '@kos/testing';
import { kosCode, rawRpc, type RpcAnswer } from './a2a-stack.ts';
import { tokenOf } from './fleet-stack.ts';

const MAX_BODY = 65_536;

/**
 * Every refused A2A request gets a JSON-RPC error with the A2A code the spec gives it and its
 * `KOS_ERR_*` code, and changes no state: the event log does not move.
 */
describe('bad input to the A2A server', () => {
  let server: ServerHandle;
  let admin: Http;
  let token: string;
  let taskId: string;

  beforeAll(async () => {
    const dir = tempDir('kos-a2a-config-');
    const configFile = path.join(dir, 'kos.yaml');
    writeFileSync(
      configFile,
      `limits:\n  max_body_bytes: ${MAX_BODY}\na2a:\n  push_allowlist: [http://127.0.0.1:9/hooks/]\n`,
    );
    server = await startServer({ configFile });
    admin = new Http(server.url, server.adminToken);
    token = await tokenOf(admin, 'submitter');
    // A goal no agent can run (nobody has the skill): it stays as it is while the cases run.
    const sent = await rpc('SendMessage', {
      message: {
        messageId: 'seed',
        role: 'ROLE_USER',
        parts: [{ data: { goal: 'waits', tasks: [{ name: 'w', skills: ['nobody'] }] } }],
      },
      configuration: { returnImmediately: true },
    });
    taskId = (sent.body.result as { task: { id: string } }).task.id;
  });
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });

  const rpc = (method: string, params: unknown): Promise<RpcAnswer> =>
    rawRpc(server.url, token, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), {
      'A2A-Version': '1.0',
    });
  const message = (parts: unknown[], extra: Record<string, unknown> = {}) => ({
    message: { messageId: 'm', role: 'ROLE_USER', parts, ...extra },
  });
  const pushConfig = (url: string) => ({ taskId, id: 'p1', url });

  async function snapshot() {
    const events = await admin.get<{ events: { seq: number }[] }>('/orchestration/events?limit=1000');
    const goals = await admin.get<{ goals: unknown[] }>('/orchestration/goals');
    return { last: events.body.events.at(-1)?.seq, goals: goals.body.goals };
  }

  const cases: [string, () => Promise<RpcAnswer>, number, string, number?][] = [
    [
      'malformed JSON',
      () => rawRpc(server.url, token, '{"jsonrpc": "2.0", "method": '),
      -32700,
      'KOS_ERR_BAD_JSON',
    ],
    ['a batch', () => rawRpc(server.url, token, '[]'), -32600, 'KOS_ERR_VALIDATION'],
    [
      'no jsonrpc version',
      () => rawRpc(server.url, token, '{"id": 1, "method": "GetTask"}'),
      -32600,
      'KOS_ERR_VALIDATION',
    ],
    ['an unknown v1.0 method', () => rpc('DoEverything', {}), -32601, 'KOS_ERR_A2A_METHOD_NOT_FOUND'],
    [
      'an unknown v0.3 method',
      () =>
        rawRpc(
          server.url,
          token,
          JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tasks/everything', params: {} }),
        ),
      -32601,
      'KOS_ERR_A2A_METHOD_NOT_FOUND',
    ],
    [
      'an oversize message',
      () => rpc('SendMessage', message([{ text: 'x'.repeat(MAX_BODY) }])),
      -32600,
      'KOS_ERR_BODY_TOO_LARGE',
      413,
    ],
    ['params that are not an object', () => rpc('GetTask', 'x'), -32602, 'KOS_ERR_VALIDATION'],
    [
      'a data part that is not a goal body',
      () => rpc('SendMessage', message([{ data: { goal: 'g', tasks: 'x' } }])),
      -32602,
      'KOS_ERR_VALIDATION',
    ],
    [
      'a DAG with a cycle',
      () =>
        rpc(
          'SendMessage',
          message([
            {
              data: {
                goal: 'g',
                tasks: [
                  { name: 'a', skills: ['s'], depends_on: ['b'] },
                  { name: 'b', skills: ['s'], depends_on: ['a'] },
                ],
              },
            },
          ]),
        ),
      -32602,
      'KOS_ERR_DAG_CYCLE',
    ],
    [
      'a file part',
      () => rpc('SendMessage', message([{ url: 'https://example.com/f.pdf' }])),
      -32004,
      'KOS_ERR_A2A_UNSUPPORTED',
    ],
    ['a message without parts', () => rpc('SendMessage', message([])), -32602, 'KOS_ERR_VALIDATION'],
    ['an unknown task', () => rpc('GetTask', { id: 'no-such-goal' }), -32001, 'KOS_ERR_GOAL_NOT_FOUND'],
    [
      'a subscription to an unknown task (as JSON, not a stream)',
      () => rpc('SubscribeToTask', { id: 'no-such-goal' }),
      -32001,
      'KOS_ERR_GOAL_NOT_FOUND',
    ],
    [
      'a streamed message that is no goal (as JSON, not a stream)',
      () => rpc('SendStreamingMessage', message([{ data: { tasks: [] } }])),
      -32602,
      'KOS_ERR_VALIDATION',
    ],
    [
      'a follow-up that answers nothing',
      () => rpc('SendMessage', message([{ text: 'and also' }], { taskId })),
      -32004,
      'KOS_ERR_A2A_UNSUPPORTED',
    ],
    ['ListTasks', () => rpc('ListTasks', {}), -32004, 'KOS_ERR_A2A_UNSUPPORTED'],
    [
      'a push URL outside the allowlist',
      () => rpc('CreateTaskPushNotificationConfig', pushConfig('http://127.0.0.1:9/elsewhere')),
      -32602,
      'KOS_ERR_A2A_PUSH_URL_REFUSED',
    ],
    [
      'a push URL on another origin that resolves to loopback',
      () => rpc('CreateTaskPushNotificationConfig', pushConfig('http://localhost:9/hooks/a')),
      -32602,
      'KOS_ERR_A2A_PUSH_URL_REFUSED',
    ],
    [
      'a v0.3 push config outside the allowlist',
      () =>
        rawRpc(
          server.url,
          token,
          JSON.stringify({
            jsonrpc: '2.0',
            id: 3,
            method: 'tasks/pushNotificationConfig/set',
            params: { taskId, pushNotificationConfig: { id: 'p03', url: 'https://hooks.example.com/a2a' } },
          }),
        ),
      -32602,
      'KOS_ERR_A2A_PUSH_URL_REFUSED',
    ],
    [
      'a push URL with credentials',
      () => rpc('CreateTaskPushNotificationConfig', pushConfig('http://user:pw@127.0.0.1:9/hooks/a')),
      -32602,
      'KOS_ERR_A2A_PUSH_URL_REFUSED',
    ],
    [
      'an unknown push config',
      () => rpc('GetTaskPushNotificationConfig', { taskId, id: 'none' }),
      -32001,
      'KOS_ERR_A2A_PUSH_CONFIG_NOT_FOUND',
    ],
  ];

  it.each(cases)(
    'refuses %s with its JSON-RPC and KOS_ERR code, changing nothing',
    async (_name, send, code, kos, status = 200) => {
      const before = await snapshot();
      const answer = await send();
      expect(answer.status).toBe(status);
      expect(answer.body.jsonrpc).toBe('2.0');
      expect(answer.body.error?.code).toBe(code);
      expect(kosCode(answer)).toBe(kos);
      expect(answer.body.error?.message).toContain(kos);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('accepts a push URL under the allowlist, and records the config as an event', async () => {
    const before = await snapshot();
    const answer = await rpc('CreateTaskPushNotificationConfig', {
      ...pushConfig('http://127.0.0.1:9/hooks/a2a'),
      authentication: { scheme: 'Bearer', credentials: 'webhook-secret' },
    });
    expect(answer.body.result).toMatchObject({ taskId, id: 'p1', url: 'http://127.0.0.1:9/hooks/a2a' });
    // The credentials are kept for the pushes, never answered back.
    expect(JSON.stringify(answer.body)).not.toContain('webhook-secret');
    const after = await snapshot();
    expect(after.last).toBeGreaterThan(before.last ?? 0);
    const listed = await rpc('ListTaskPushNotificationConfigs', { taskId });
    expect((listed.body.result as { configs: { id: string }[] }).configs.map((c) => c.id)).toEqual(['p1']);
    await rpc('DeleteTaskPushNotificationConfig', { taskId, id: 'p1' });
    // Proto JSON leaves an empty list out.
    const empty = (await rpc('ListTaskPushNotificationConfigs', { taskId })).body.result as {
      configs?: unknown[];
    };
    expect(empty.configs ?? []).toEqual([]);
  });
});
