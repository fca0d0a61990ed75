import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { poll, useServer } from '@kos/testing';
import { configFile } from './fixtures.ts';

const LIMITS = [
  'limits:',
  '  token_rate_per_s: 20',
  '  token_burst: 20',
  '  headers_timeout_ms: 400',
  '  request_timeout_ms: 800',
  '  handshake_timeout_ms: 400',
];

/** Reads a raw socket until the server closes it; what it answered. */
function answerOf(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve) => socket.on('close', () => resolve(Buffer.concat(chunks).toString())));
}

describe('limits per caller', () => {
  const running = useServer(() => ({ configFile: configFile(LIMITS) }));

  async function viewerToken(): Promise<string> {
    const t = await running.admin.post<{ token: string }>('/orchestration/tokens', { role: 'viewer' });
    expect(t.status).toBe(201);
    return t.body.token;
  }

  const get = (token: string) =>
    fetch(`${running.server.url}/orchestration/status`, { headers: { authorization: `Bearer ${token}` } });

  it('throttles a flooding token with 429 and Retry-After while another token is served', async () => {
    const flooder = await viewerToken();
    const other = await viewerToken();
    const started = performance.now();
    const flood = Promise.all(Array.from({ length: 200 }, () => get(flooder)));
    // Within its own burst, the other token must not feel the flood at all.
    const calm = Promise.all(Array.from({ length: 15 }, () => get(other)));
    const [flooded, served] = await Promise.all([flood, calm]);

    const seconds = (performance.now() - started) / 1000;
    const refused = flooded.filter((r) => r.status === 429);
    // At most the burst plus the rate over the time the flood took (a loaded machine takes longer).
    expect(200 - refused.length).toBeLessThanOrEqual(20 + Math.ceil(20 * seconds));
    expect(refused.length).toBeGreaterThan(0);
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused[0]!.json()) as { error: { code: string; details: { limit: string } } };
    expect(body.error.code).toBe('KOS_ERR_RATE_LIMITED');
    expect(body.error.details.limit).toBe('token_rate');
    expect(served.map((r) => r.status)).toEqual(Array(15).fill(200));

    const metrics = await (await fetch(`${running.server.url}/metrics`)).text();
    expect(metrics).toMatch(/kos_limit_refusals_total\{kind="token_rate"\} \d+/);
  });

  it('cuts off a client that sends its headers byte by byte at the headers timeout', async () => {
    const socket = connect(Number(new URL(running.server.url).port), '127.0.0.1');
    const answer = answerOf(socket);
    let sent = 0;
    const head = 'GET /orchestration/status HTTP/1.1\r\nHost: x\r\nX-Slow: ';
    // One byte at a time, for ever: only the server's timeout can end this.
    const drip = setInterval(() => {
      if (!socket.writable) return;
      socket.write(sent < head.length ? head[sent]! : 'a');
      sent += 1;
    }, 20);
    const text = await answer;
    clearInterval(drip);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({
      error: { code: 'KOS_ERR_REQUEST_TIMEOUT' },
    });
    // Cut off mid-headers: the request line and some header bytes arrived, never the blank line.
    expect(sent).toBeGreaterThan(0);
  });

  it('cuts off a client that trickles its body at the request timeout', async () => {
    const socket = connect(Number(new URL(running.server.url).port), '127.0.0.1');
    const answer = answerOf(socket);
    socket.write(
      'POST /orchestration/decompose HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${running.server.adminToken}\r\nContent-Length: 100000\r\n\r\n{"goal":"`,
    );
    const drip = setInterval(() => socket.writable && socket.write('a'), 20);
    const text = await answer;
    clearInterval(drip);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('KOS_ERR_REQUEST_TIMEOUT');
    const goals = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals');
    expect(goals.body.goals).toEqual([]);
  });

  it('closes a WebSocket that never says hello at the handshake deadline', async () => {
    const ws = new WebSocket(`${running.ws}`);
    const frames: { type: string; payload: { code?: string } }[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as (typeof frames)[number]));
    const [code] = await new Promise<[number, string]>((resolve) =>
      ws.on('close', (c, r) => resolve([c, String(r)])),
    );
    expect(code).toBe(4408);
    expect(frames.map((f) => f.type)).toEqual(['challenge', 'error']);
    expect(frames[1]!.payload.code).toBe('KOS_ERR_HANDSHAKE_REQUIRED');
    const metrics = await poll(async () => {
      const text = await (await fetch(`${running.server.url}/metrics`)).text();
      return text.includes('kind="klp_handshake_timeout"') ? text : undefined;
    });
    expect(metrics).toMatch(/kind="request_timeout"\} [1-9]/);
  });
});

describe('concurrent requests per token, and requests without credentials per address', () => {
  const running = useServer(() => ({
    configFile: configFile(['limits:', '  token_max_concurrent: 2', '  ip_rate_per_s: 5', '  ip_burst: 5']),
  }));

  it('throttles requests without valid credentials by address, not those of a token', async () => {
    const anonymous = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(
          `${running.server.url}/healthz`,
          i % 2 ? { headers: { authorization: 'Bearer kos_wrong' } } : {},
        ),
      ),
    );
    const refused = anonymous.filter((r) => r.status === 429);
    // 5 at once, then 5 a second: most of 20 sent together are refused.
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(await refused[0]!.json()).toMatchObject({ error: { details: { limit: 'ip_rate' } } });
    expect((await running.admin.get('/orchestration/status')).status).toBe(200);
  });

  it('refuses a third request while a token holds two streams open, and admits it once one closes', async () => {
    const t = await running.admin.post<{ token: string }>('/orchestration/tokens', { role: 'viewer' });
    const auth = { authorization: `Bearer ${t.body.token}` };
    const url = `${running.server.url}/orchestration/events/stream`;
    const streams = [new AbortController(), new AbortController()];
    // Each open event stream is one request in flight until its client goes away.
    const open = await Promise.all(streams.map((c) => fetch(url, { headers: auth, signal: c.signal })));
    expect(open.map((r) => r.status)).toEqual([200, 200]);

    const third = await fetch(`${running.server.url}/orchestration/status`, { headers: auth });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.json()).toMatchObject({
      error: { code: 'KOS_ERR_RATE_LIMITED', details: { limit: 'token_concurrency' } },
    });
    // Another token is not affected.
    expect((await running.admin.get('/orchestration/status')).status).toBe(200);

    streams[0]!.abort();
    const admitted = await poll(async () => {
      const r = await fetch(`${running.server.url}/orchestration/status`, { headers: auth });
      return r.status === 200 ? r.status : undefined;
    });
    expect(admitted).toBe(200);
    streams[1]!.abort();
  });
});
