import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Http, poll, tempDir } from '@kos/testing';
import { Orchestrator, resolveConfig } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/store/postgres/test-database.ts';
import { submitDag } from './fixtures.ts';
import { openStream } from './sse-client.ts';

/** The SSE route of two replicas on one PostgreSQL: what A commits, a client of B sees. */
describe('GET /orchestration/events/stream across two PostgreSQL replicas', () => {
  let db: TestDatabase;
  const replicas: Orchestrator[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const r of replicas.splice(0)) await r.stop();
    await db?.drop();
  });

  async function replica(): Promise<{ orch: Orchestrator; admin: Http; token: string }> {
    const config = resolveConfig({
      env: { KOS_STORE: db.url },
      flags: { port: 0, host: '127.0.0.1', dataDir: tempDir('kos-sse-replica-') },
    });
    const orch = await Orchestrator.start(config, { logger: pino({ level: 'silent' }) });
    replicas.push(orch);
    const token = readFileSync(orch.adminTokenPath, 'utf8').trim();
    return { orch, admin: new Http(orch.url, token), token };
  }

  it('streams to a client of replica B the events replica A committed, and resumes on A after B', async () => {
    const a = await replica();
    const b = await replica();
    const onB = openStream(`${b.orch.url}/orchestration/events/stream`, b.token);
    expect((await onB.opened).statusCode).toBe(200);

    const first = await submitDag(a.admin, [{ name: 'on-a', skills: ['nobody-on-a'] }], 'committed on A');
    await poll(() => onB.messages.some((m) => m.data.goal_id === first.goal_id), {
      what: "B's stream to carry A's goal.submitted",
    });
    const seen = onB.messages.map((m) => m.id);
    onB.close();

    // While nobody listens, A commits more; a client resuming on A from B's last id gets exactly
    // the events after it, in order, once each.
    const second = await submitDag(
      a.admin,
      [{ name: 'gap', skills: ['nobody-gap'] }],
      'committed in the gap',
    );
    const last = seen[seen.length - 1]!;
    const committed = await a.admin.get<{ events: { seq: number }[] }>(
      `/orchestration/events?after=${last}&limit=1000`,
    );
    const want = committed.body.events.map((e) => e.seq);
    expect(want.length).toBeGreaterThan(0);
    const onA = openStream(`${a.orch.url}/orchestration/events/stream`, a.token, {
      'last-event-id': String(last),
    });
    await onA.opened;
    await poll(() => onA.messages.length >= want.length || undefined, { what: 'the resumed stream' });
    expect(onA.messages.map((m) => m.id).slice(0, want.length)).toEqual(want);
    expect(onA.messages.some((m) => m.data.goal_id === second.goal_id)).toBe(true);
    expect(new Set([...seen, ...onA.messages.map((m) => m.id)]).size).toBe(seen.length + onA.messages.length);
    onA.close();
  });
});
