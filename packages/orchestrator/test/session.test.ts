import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useServer } from '@kos/testing';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A plain HTTP call with exactly the headers given (a browser's, not the test client's). */
function call(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('dashboard sign-in (session cookie)', () => {
  const running = useServer();
  const url = (path: string) => `${running.server.url}${path}`;
  const tokenOf = async (role: string) =>
    (await running.admin.post<{ token: string }>('/orchestration/tokens', { role })).body.token;
  async function signIn(token: string): Promise<string> {
    const res = await call(url('/orchestration/session'), 'POST', {}, { token });
    expect(res.status).toBe(200);
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(/^kos_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600$/);
    expect(set).not.toContain(token);
    return set.slice(0, set.indexOf(';'));
  }

  it('signs in with a token once; the cookie then authenticates reads and the event stream', async () => {
    const cookie = await signIn(running.server.adminToken);
    const goals = await call(url('/orchestration/goals'), 'GET', { cookie });
    expect(goals.status).toBe(200);
    const stream = await new Promise<number>((resolve) => {
      const req = request(url('/orchestration/events/stream'), { headers: { cookie } }, (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.end();
    });
    expect(stream).toBe(200);
  });

  it('refuses a state change by cookie without the X-Kos-Csrf header, and allows it with it', async () => {
    const cookie = await signIn(running.server.adminToken);
    const goal = { goal: 'csrf', tasks: [{ name: 'c', skills: ['nobody-csrf'] }] };
    const forged = await call(url('/orchestration/decompose'), 'POST', { cookie }, goal);
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.body).error.code).toBe('KOS_ERR_FORBIDDEN');
    const before = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals?limit=500');
    const fromPage = await call(url('/orchestration/decompose'), 'POST', { cookie, 'x-kos-csrf': '1' }, goal);
    expect(fromPage.status).toBe(201);
    const after = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals?limit=500');
    expect(after.body.goals.length).toBe(before.body.goals.length + 1);
  });

  it("keeps the token's role: a viewer's session reads but may not act", async () => {
    const cookie = await signIn(await tokenOf('viewer'));
    expect((await call(url('/orchestration/status'), 'GET', { cookie })).status).toBe(200);
    const refused = await call(url('/orchestration/assign'), 'POST', { cookie, 'x-kos-csrf': '1' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.code).toBe('KOS_ERR_FORBIDDEN');
  });

  it('refuses a bad token at sign-in, and a tampered or foreign cookie', async () => {
    const bad = await call(url('/orchestration/session'), 'POST', {}, { token: 'kos_nope_nope' });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body).error.code).toBe('KOS_ERR_UNAUTHENTICATED');
    expect(bad.headers['set-cookie']).toBeUndefined();
    const cookie = await signIn(await tokenOf('viewer'));
    const [name, value] = cookie.split('=') as [string, string];
    const [id, expiry, mac] = value.split('.') as [string, string, string];
    // A later expiry with the old MAC, and another token's id with this MAC: neither is accepted.
    const longer = `${name}=${id}.${Number(expiry) + 86_400_000}.${mac}`;
    expect((await call(url('/orchestration/goals'), 'GET', { cookie: longer })).status).toBe(401);
    const admin = await signIn(running.server.adminToken);
    const adminId = admin.split('=')[1]!.split('.')[0]!;
    const swapped = `${name}=${adminId}.${expiry}.${mac}`;
    expect((await call(url('/orchestration/goals'), 'GET', { cookie: swapped })).status).toBe(401);
  });

  it('signs out by clearing the cookie', async () => {
    const res = await call(url('/orchestration/session'), 'DELETE', {});
    expect(res.status).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/^kos_session=; .*Max-Age=0/);
  });
});
