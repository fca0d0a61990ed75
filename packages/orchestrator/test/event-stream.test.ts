import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { poll, startServer, useServer } from '@kos/testing';
import { submitDag } from './fixtures.ts';
import { openStream } from './sse-client.ts';

describe('GET /orchestration/events/stream', () => {
  const running = useServer();
  const stream = (query = '', headers: Record<string, string> = {}) =>
    openStream(
      `${running.server.url}/orchestration/events/stream${query}`,
      running.server.adminToken,
      headers,
    );

  it('streams committed events live, with their seq as the SSE id', async () => {
    const live = stream();
    const res = await live.opened;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const dag = await submitDag(
      running.admin,
      [{ name: 'streamed', skills: ['nobody-streams'] }],
      'streamed goal',
    );
    await poll(() =>
      live.messages.some((m) => m.event === 'goal.submitted' && m.data.goal_id === dag.goal_id),
    );
    const submitted = live.messages.find((m) => m.data.goal_id === dag.goal_id)!;
    expect(submitted.id).toBe(submitted.data.seq);
    live.close();
  });

  it('resumes after Last-Event-ID with every later event once, in order, then live ones', async () => {
    const first = await submitDag(running.admin, [{ name: 'a', skills: ['nobody-a'] }], 'before the gap');
    const all = await running.admin.get<{ events: { seq: number }[] }>('/orchestration/events?limit=1000');
    const seqs = all.body.events.map((e) => e.seq);
    const from = seqs[Math.floor(seqs.length / 2)]!;
    const expected = seqs.filter((s) => s > from);
    const resumed = stream('', { 'last-event-id': String(from) });
    await resumed.opened;
    await poll(() => resumed.messages.length >= expected.length);
    // Then a live event arrives after the backlog.
    const later = await submitDag(running.admin, [{ name: 'b', skills: ['nobody-b'] }], 'after the resume');
    await poll(() => resumed.messages.some((m) => m.data.goal_id === later.goal_id));
    const got = resumed.messages.map((m) => m.id);
    expect(got.slice(0, expected.length)).toEqual(expected);
    expect(new Set(got).size).toBe(got.length);
    expect([...got].sort((x, y) => x - y)).toEqual(got);
    expect(first.goal_id).not.toBe(later.goal_id);
    resumed.close();
  });

  it('filters by goal and kind', async () => {
    const a = await submitDag(running.admin, [{ name: 'fa', skills: ['nobody-fa'] }], 'filter a');
    const b = await submitDag(running.admin, [{ name: 'fb', skills: ['nobody-fb'] }], 'filter b');
    const filtered = stream(`?goal_id=${b.goal_id}&kind=goal.submitted,task.state&after=0`);
    await filtered.opened;
    await poll(() => filtered.messages.some((m) => m.event === 'goal.submitted'));
    await new Promise((r) => setTimeout(r, 200));
    expect(filtered.messages.length).toBeGreaterThan(0);
    expect(filtered.messages.every((m) => m.data.goal_id === b.goal_id)).toBe(true);
    expect(filtered.messages.every((m) => ['goal.submitted', 'task.state'].includes(m.event))).toBe(true);
    expect(filtered.messages.some((m) => m.data.goal_id === a.goal_id)).toBe(false);
    filtered.close();
  });

  it('refuses an unknown kind and a bad Last-Event-ID with a typed error', async () => {
    const bad = await running.admin.get<{ error: { code: string; message: string } }>(
      '/orchestration/events/stream?kind=task.nope',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('KOS_ERR_VALIDATION');
    expect(bad.body.error.message).toContain('task.nope');
    const noToken = stream();
    const res = await new Promise<number>((resolve) => {
      const r = request(`${running.server.url}/orchestration/events/stream`, (m) =>
        resolve(m.statusCode ?? 0),
      );
      r.end();
    });
    expect(res).toBe(401);
    noToken.close();
  });

  it('ends open streams when the orchestrator stops, so a graceful stop does not hang on them', async () => {
    const own = await startServer();
    try {
      const live = openStream(`${own.url}/orchestration/events/stream`, own.adminToken);
      const res = await live.opened;
      const ended = new Promise<void>((resolve) => res.on('end', resolve));
      // Before the fix the server's close waited out the stream's keep-alive (72 s).
      await own.stop();
      await ended;
      expect(res.complete).toBe(true);
    } finally {
      own.cleanup();
    }
  }, 20_000);
});
