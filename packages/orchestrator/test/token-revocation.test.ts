import { describe, expect, it } from 'vitest';
import { useServer } from '@kos/testing';
import { openStream } from './sse-client.ts';

interface TokenBody {
  id: string;
  role: string;
  label: string;
  agent_name: string | null;
  created_at: string;
  revoked_at: string | null;
}

/** GET /orchestration/tokens and POST /orchestration/tokens/:id/revoke against a real process. */
describe('token listing and revocation', () => {
  const running = useServer();
  const issue = async (role: string, label: string) => {
    const res = await running.admin.post<{ id: string; token: string }>('/orchestration/tokens', {
      role,
      label,
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const eventCount = async () =>
    (await running.admin.get<{ events: unknown[] }>('/orchestration/events?limit=1000')).body.events.length;

  it('lists every token with its role and label, never a secret or a hash', async () => {
    const made = await issue('viewer', 'listed viewer');
    const res = await running.admin.get<{ tokens: TokenBody[] }>('/orchestration/tokens');
    expect(res.status).toBe(200);
    const listed = res.body.tokens.find((t) => t.id === made.id);
    expect(listed).toMatchObject({ role: 'viewer', label: 'listed viewer', revoked_at: null });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(made.token);
    expect(text).not.toMatch(/[0-9a-f]{64}/); // no SHA-256 hash either
  });

  it('refuses a revoked bearer token at once, even one used just before, and records who revoked it', async () => {
    const made = await issue('submitter', 'to revoke');
    const as = running.admin.as(made.token);
    expect((await as.get('/orchestration/status')).status).toBe(200);
    const res = await running.admin.post<{ token: TokenBody }>(`/orchestration/tokens/${made.id}/revoke`);
    expect(res.status).toBe(200);
    expect(res.body.token.revoked_at).not.toBeNull();
    const refused = await as.get('/orchestration/status');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { code: 'KOS_ERR_UNAUTHENTICATED' } });
    const events = await running.admin.get<{
      events: { kind: string; actor: string; data: Record<string, unknown> }[];
    }>('/orchestration/events?limit=1000');
    const audit = events.body.events.find((e) => e.kind === 'audit' && e.data.action === 'token.revoke');
    expect(audit?.data).toMatchObject({ token_id: made.id, role: 'submitter' });
    expect(audit?.actor).toMatch(/^token:/);
  });

  it('refuses a second revocation, an unknown id, its own token and other roles, changing nothing', async () => {
    const made = await issue('viewer', 'kept');
    const submitter = await issue('submitter', 'not an admin');
    const before = await eventCount();
    const notAdmin = await running.admin.as(submitter.token).post(`/orchestration/tokens/${made.id}/revoke`);
    expect(notAdmin.body).toMatchObject({ error: { code: 'KOS_ERR_FORBIDDEN' } });
    const listByViewer = await running.admin.as(made.token).get('/orchestration/tokens');
    expect(listByViewer.body).toMatchObject({ error: { code: 'KOS_ERR_FORBIDDEN' } });
    const unknown = await running.admin.post('/orchestration/tokens/0000000000000000/revoke');
    expect(unknown.body).toMatchObject({ error: { code: 'KOS_ERR_TOKEN_NOT_FOUND' } });
    const list = await running.admin.get<{ tokens: TokenBody[] }>('/orchestration/tokens');
    const adminId = list.body.tokens.find((t) => t.role === 'admin')!.id;
    const own = await running.admin.post(`/orchestration/tokens/${adminId}/revoke`);
    expect(own.body).toMatchObject({ error: { code: 'KOS_ERR_VALIDATION' } });
    expect(await eventCount()).toBe(before);
    expect((await running.admin.as(made.token).get('/orchestration/status')).status).toBe(200);

    expect((await running.admin.post(`/orchestration/tokens/${made.id}/revoke`)).status).toBe(200);
    const twice = await running.admin.post(`/orchestration/tokens/${made.id}/revoke`);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ error: { code: 'KOS_ERR_TOKEN_REVOKED' } });
  });

  it('ends the dashboard sessions and open event streams of a revoked token', async () => {
    const made = await issue('viewer', 'signed in');
    const signIn = await fetch(`${running.server.url}/orchestration/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: made.token }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const byCookie = () => fetch(`${running.server.url}/orchestration/status`, { headers: { cookie } });
    expect((await byCookie()).status).toBe(200);
    const stream = openStream(`${running.server.url}/orchestration/events/stream`, made.token);
    const res = await stream.opened;
    const ended = new Promise<void>((resolve) => res.on('end', () => resolve()));

    expect((await running.admin.post(`/orchestration/tokens/${made.id}/revoke`)).status).toBe(200);
    await ended; // the server closed the stream itself
    expect((await byCookie()).status).toBe(401);
    stream.close();
  });
});
