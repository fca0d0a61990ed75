import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { poll, tempDir } from '@kos/testing';
import { Orchestrator, resolveConfig } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/store/postgres/test-database.ts';
import type { EventRecord, NewEvent } from '../src/store/records.ts';

/** Two orchestrator replicas in this process, sharing one PostgreSQL database. */
describe('the live event feed of two replicas on one PostgreSQL', () => {
  let db: TestDatabase;
  const replicas: Orchestrator[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const r of replicas.splice(0)) await r.stop();
    await db?.drop();
  });

  async function replica(): Promise<Orchestrator> {
    const config = resolveConfig({
      env: { KOS_STORE: db.url },
      flags: { port: 0, host: '127.0.0.1', dataDir: tempDir('kos-feed-') },
    });
    const orch = await Orchestrator.start(config, { logger: pino({ level: 'silent' }) });
    replicas.push(orch);
    return orch;
  }

  const note = (n: number, actor: string): NewEvent => ({
    at: Date.now(),
    kind: 'audit',
    actor,
    goalId: null,
    taskId: null,
    agentId: null,
    data: { action: 'test.note', n },
  });

  it('delivers the events committed on either replica to each feed in seq order, each once', async () => {
    const [a, b] = [await replica(), await replica()];
    const start = await b.store.read((tx) => tx.lastEventSeq());
    const onA: EventRecord[] = [];
    const onB: EventRecord[] = [];
    const stopA = await a.events.subscribe((e) => onA.push(e));
    const stopB = await b.events.subscribe((e) => onB.push(e));

    const caughtUp = async () => {
      const committed = await a.store.read((tx) => tx.listEvents({ afterSeq: start, limit: 10_000 }));
      const want = committed.map((e) => e.seq);
      for (const [name, seen] of [
        ['A', onA],
        ['B', onB],
      ] as [string, EventRecord[]][]) {
        await poll(() => seen.length >= want.length || undefined, {
          what: `replica ${name}'s feed to catch up`,
        });
        expect(seen.map((e) => e.seq)).toEqual(want);
      }
      return committed;
    };
    // Only A commits (group-committed in several batches): B hears of them from A's notices.
    await Promise.all(
      Array.from({ length: 60 }, (_, n) => a.store.record([note(n, 'replica-a'), note(n, 'replica-a')])),
    );
    expect(await caughtUp()).toHaveLength(120);
    // Both commit at once: each feed interleaves its own events with the other's, by seq.
    await Promise.all([
      ...Array.from({ length: 20 }, (_, n) => a.store.record([note(n, 'replica-a')])),
      ...Array.from({ length: 20 }, (_, n) => b.store.record([note(n, 'replica-b')])),
    ]);
    const committed = await caughtUp();
    expect(committed).toHaveLength(160);
    expect(onB).toEqual(committed);
    const want = committed.map((e) => e.seq);

    // An unsubscribed feed stops: later events reach the other one only.
    stopB();
    await a.store.record([note(99, 'replica-a')]);
    await poll(() => onA.length === want.length + 1 || undefined, { what: 'the later event on A' });
    expect(onB).toHaveLength(want.length);
    stopA();
  });
});
