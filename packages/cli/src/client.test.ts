import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KosClient } from './client.ts';
import { CliError } from './errors.ts';
import { run } from './program.ts';
import { cannedServer, captureIo, type CannedServer } from './test-support.ts';

let server: CannedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failure(p: Promise<unknown>): Promise<CliError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof CliError)) throw new Error(`expected a CliError, got ${String(e)}`);
  return e;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('KosClient error mapping', () => {
  it('turns an error body into a CliError with its code, message, status and details', async () => {
    server = await cannedServer(() => ({
      status: 409,
      body: {
        error: { code: 'KOS_ERR_STALE_EPOCH', message: 'epoch 3 was replaced', details: { current: 4 } },
      },
    }));
    const e = await failure(
      new KosClient({ url: server.url, token: 't' }).complete({ subtask_uuid: 'x', result: 1 }),
    );
    expect(e.kind).toBe('api');
    expect(e.code).toBe('KOS_ERR_STALE_EPOCH');
    expect(e.message).toBe('epoch 3 was replaced');
    expect(e.status).toBe(409);
    expect(e.details).toEqual({ current: 4 });
    expect(e.exitCode).toBe(1);
  });

  it('reports a non-JSON error answer with its HTTP status and no code', async () => {
    server = await cannedServer(() => ({ status: 502, body: '<html>bad gateway</html>', type: 'text/html' }));
    const e = await failure(new KosClient({ url: server.url }).status());
    expect(e.code).toBeNull();
    expect(e.message).toContain('HTTP 502');
    expect(e.message).toContain('bad gateway');
  });

  it('sends the bearer token, JSON bodies and snake_case query parameters', async () => {
    server = await cannedServer(() => ({ status: 200, body: { tasks: [], next: null } }));
    const client = new KosClient({ url: `${server.url}/`, token: 'sekret' });
    await client.listTasks({ goal_id: 'g1', state: 'ready', limit: 5 });
    await client.cancelGoal('g/1', 'because');
    const [list, cancel] = server.requests;
    expect(list?.url).toBe('/orchestration/tasks?goal_id=g1&state=ready&limit=5');
    expect(list?.headers.authorization).toBe('Bearer sekret');
    expect(cancel?.method).toBe('POST');
    expect(cancel?.url).toBe('/orchestration/goals/g%2F1/cancel');
    expect(JSON.parse(cancel?.body ?? '')).toEqual({ reason: 'because' });
    expect(cancel?.headers['content-type']).toBe('application/json');
  });

  it('says the orchestrator is unreachable when the connection is refused', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const e = await failure(new KosClient({ url }).status());
    expect(e.kind).toBe('unreachable');
    expect(e.message).toBe(
      `cannot reach the orchestrator at ${url} — is \`kos serve\` (or \`npm start\`) running?`,
    );
  });

  it('gives up on a server that never answers after the timeout', async () => {
    const silent = createHttpServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    try {
      const e = await failure(new KosClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 100 }).status());
      expect(e.kind).toBe('unreachable');
      expect(e.message).toContain('within 100 ms');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});

describe('kos error output', () => {
  it('prints "error CODE: message" to stderr and exits 1 on an API error', async () => {
    server = await cannedServer(() => ({
      status: 404,
      body: { error: { code: 'KOS_ERR_GOAL_NOT_FOUND', message: 'no goal has id 0123456789abcdefghijkl' } },
    }));
    const io = captureIo();
    const code = await run(
      ['--url', server.url, '--token', 't', 'goals', 'show', '0123456789abcdefghijkl'],
      io,
    );
    expect(code).toBe(1);
    expect(io.errText()).toBe('error KOS_ERR_GOAL_NOT_FOUND: no goal has id 0123456789abcdefghijkl\n');
    expect(io.out()).toBe('');
  });

  it('prints the unreachable hint and exits 1 when nothing listens', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const io = captureIo();
    expect(await run(['--url', url, 'status'], io)).toBe(1);
    expect(io.errText()).toContain(`cannot reach the orchestrator at ${url}`);
  });
});
