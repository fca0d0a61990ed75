import { describe, expect, it } from 'vitest';
import { poll, useServer } from '@kos/testing';
import { configFile } from './fixtures.ts';
import { openStream } from './sse-client.ts';

interface Created {
  id: string;
  token: string;
  expires_at: string | null;
}
interface Refusal {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Tokens with `expires_in_s`, against a real process: they work until then, and nowhere after. */
describe('tokens that expire', () => {
  const running = useServer(() => ({ configFile: configFile(['events:', '  stream_heartbeat_ms: 200']) }));
  const issue = async (body: Record<string, unknown>) => {
    const res = await running.admin.post<Created>('/orchestration/tokens', { role: 'submitter', ...body });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('works until its expiry, is listed with it, then is refused naming the expiry', async () => {
    const before = Date.now();
    const made = await issue({ expires_in_s: 2, label: 'short-lived' });
    const expiresAt = Date.parse(made.expires_at!);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 2000);
    expect(expiresAt).toBeLessThan(Date.now() + 2000 + 1000);
    const as = running.admin.as(made.token);
    expect((await as.get('/orchestration/status')).status).toBe(200);
    const listed = await running.admin.get<{ tokens: { id: string; expires_at: string | null }[] }>(
      '/orchestration/tokens',
    );
    expect(listed.body.tokens.find((t) => t.id === made.id)?.expires_at).toBe(made.expires_at);

    const refused = await poll(
      async () => {
        const r = await as.get<Refusal>('/orchestration/status');
        return r.status === 401 && r;
      },
      { timeoutMs: 10_000, what: 'the expired token refused' },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(refused.body.error.code).toBe('KOS_ERR_UNAUTHENTICATED');
    expect(refused.body.error.message).toContain(`expired at ${made.expires_at}`);
    expect(refused.body.error.details).toMatchObject({ reason: 'expired', tokenId: made.id });
    // Nor can it start a dashboard session any more.
    const signIn = await running.admin.as('').post<Refusal>('/orchestration/session', { token: made.token });
    expect(signIn.status).toBe(401);
    expect(signIn.body.error.message).toContain('expired');
  });

  it('gives a dashboard session no longer than the token has left', async () => {
    const made = await issue({ expires_in_s: 30 });
    const res = await running.admin
      .as('')
      .post<{ expires_at: string }>('/orchestration/session', { token: made.token });
    expect(res.status).toBe(200);
    expect(res.body.expires_at).toBe(made.expires_at);
  });

  it('ends an open event stream of the token once it expires', async () => {
    const made = await issue({ expires_in_s: 1 });
    const live = openStream(`${running.server.url}/orchestration/events/stream`, made.token);
    const res = await live.opened;
    expect(res.statusCode).toBe(200);
    let text = '';
    res.on('data', (chunk: string) => (text += chunk));
    await new Promise<void>((resolve) => res.on('end', resolve));
    expect(text).toContain(': token expired');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(made.expires_at!));
  });

  it('refuses an expiry of zero or past ten years with a typed error, creating no token', async () => {
    const count = async () =>
      (await running.admin.get<{ tokens: unknown[] }>('/orchestration/tokens')).body.tokens.length;
    const before = await count();
    for (const expires_in_s of [0, 10 * 365 * 24 * 3600 + 1, 1.5, '60']) {
      const res = await running.admin.post<Refusal>('/orchestration/tokens', {
        role: 'viewer',
        expires_in_s,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('KOS_ERR_VALIDATION');
    }
    expect(await count()).toBe(before);
  });

  it('creates tokens without expires_in_s that do not expire', async () => {
    const made = await issue({});
    expect(made.expires_at).toBeNull();
  });
});
