import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { A2aPushConfig } from '../../store/records.ts';
import { PushSender } from './push-sender.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A local receiver answering each request with `answer` (its n-th call, from 1). */
async function receiver(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  let n = 0;
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push(text);
      answer(++n, req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, bodies, calls: () => n };
}

const config = (url: string, over: Partial<A2aPushConfig> = {}): A2aPushConfig => ({
  goalId: 'g',
  id: 'c',
  url,
  token: null,
  authScheme: null,
  authCredentials: null,
  createdAt: 0,
  ...over,
});

const sender = (allowlist: string[], timeoutMs = 2_000) =>
  new PushSender({ allowlist, timeoutMs, retries: 2, backoffMs: 5, lookup: async () => [] });

describe('PushSender', () => {
  it('posts the body with the token and authorization headers to an allowlisted address', async () => {
    let headers: IncomingMessage['headers'] = {};
    const r = await receiver((_n, req, res) => {
      headers = req.headers;
      res.writeHead(200).end();
    });
    const c = config(`${r.base}/hook`, { token: 'tok', authScheme: 'Bearer', authCredentials: 'cred' });
    expect(await sender([r.base]).deliver(c, '{"task":{}}')).toEqual({
      kind: 'delivered',
      status: 200,
      attempts: 1,
    });
    expect(r.bodies).toEqual(['{"task":{}}']);
    expect(headers['x-a2a-notification-token']).toBe('tok');
    expect(headers['authorization']).toBe('Bearer cred');
  });

  it('does not follow a redirect: the target it names receives nothing', async () => {
    const target = await receiver((_n, _req, res) => res.writeHead(200).end());
    const r = await receiver((_n, _req, res) =>
      res.writeHead(302, { location: `${target.base}/stolen` }).end(),
    );
    const outcome = await sender([r.base, target.base]).deliver(config(`${r.base}/hook`), '{}');
    expect(outcome).toMatchObject({ kind: 'refused', attempts: 1 });
    expect(target.calls()).toBe(0);
  });

  it('retries a 5xx a bounded number of times, then succeeds or gives up', async () => {
    const flaky = await receiver((n, _req, res) => res.writeHead(n < 3 ? 503 : 204).end());
    expect(await sender([flaky.base]).deliver(config(`${flaky.base}/h`), '{}')).toEqual({
      kind: 'delivered',
      status: 204,
      attempts: 3,
    });
    const down = await receiver((_n, _req, res) => res.writeHead(500).end());
    expect(await sender([down.base]).deliver(config(`${down.base}/h`), '{}')).toMatchObject({
      kind: 'failed',
      attempts: 3,
    });
    expect(down.calls()).toBe(3);
  });

  it('gives up on a receiver that never answers, one timeout per attempt', async () => {
    const silent = await receiver(() => undefined);
    const outcome = await sender([silent.base], 100).deliver(config(`${silent.base}/h`), '{}');
    expect(outcome).toMatchObject({ kind: 'failed', attempts: 3 });
    expect(silent.calls()).toBe(3);
  });

  it('refuses a URL outside the allowlist without connecting', async () => {
    const r = await receiver((_n, _req, res) => res.writeHead(200).end());
    const outcome = await sender(['http://127.0.0.1:1']).deliver(config(`${r.base}/h`), '{}');
    expect(outcome).toMatchObject({ kind: 'refused', attempts: 1 });
    expect(r.calls()).toBe(0);
  });
});
