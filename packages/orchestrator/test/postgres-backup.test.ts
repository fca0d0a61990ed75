import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Http, tempDir } from '@kos/testing';
import { Orchestrator, resolveConfig } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/store/postgres/test-database.ts';
import { submitDag } from './fixtures.ts';

/** The PostgreSQL equivalent of `kos backup`: pg_dump -Fc and pg_restore (docs/operations.md). */
describe('a PostgreSQL store backed up with pg_dump and restored with pg_restore', () => {
  let source: TestDatabase;
  let target: TestDatabase;
  const running: Orchestrator[] = [];
  beforeAll(async () => {
    [source, target] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    for (const o of running.splice(0)) await o.stop();
    await source?.drop();
    await target?.drop();
  });

  async function start(url: string): Promise<Http> {
    const config = resolveConfig({
      env: { KOS_STORE: url },
      flags: { port: 0, host: '127.0.0.1', dataDir: tempDir('kos-pg-backup-') },
    });
    const orch = await Orchestrator.start(config, { logger: pino({ level: 'silent' }) });
    running.push(orch);
    return new Http(orch.url, readFileSync(orch.adminTokenPath, 'utf8').trim());
  }

  it('brings back every acknowledged goal, its tasks and its events, dumped while the orchestrator ran', async () => {
    const admin = await start(source.url);
    const goals = [];
    for (let i = 0; i < 5; i++)
      goals.push(await submitDag(admin, [{ name: 'kept', skills: ['nobody-pg'] }], `pg ${i}`));
    const events = await admin.get<{ events: { seq: number }[] }>('/orchestration/events?limit=1000');

    const file = path.join(tempDir('kos-pg-dump-'), 'kos.dump');
    const plain = (u: string) => {
      const url = new URL(u);
      url.searchParams.delete('application_name');
      return url.toString();
    };
    execFileSync('pg_dump', ['-Fc', '--no-owner', '-f', file, plain(source.url)]);
    execFileSync('pg_restore', ['--no-owner', '-d', plain(target.url), file]);

    const copy = await start(target.url);
    for (const g of goals) {
      const res = await copy.get<{ goal: { goal: string }; tasks: unknown[] }>(
        `/orchestration/goals/${g.goal_id}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.tasks).toHaveLength(1);
    }
    const after = await copy.get<{ events: { seq: number }[] }>('/orchestration/events?limit=1000');
    const seqs = new Set(after.body.events.map((e) => e.seq));
    for (const e of events.body.events) expect(seqs.has(e.seq)).toBe(true);
    // The restored sequence goes on after the dumped events: a new goal's events come later.
    const next = await submitDag(copy, [{ name: 'new', skills: ['nobody-pg'] }], 'after restore');
    const newest = await copy.get<{ events: { seq: number; goal_id: string | null }[] }>(
      `/orchestration/events?goal_id=${next.goal_id}`,
    );
    expect(Math.min(...newest.body.events.map((e) => e.seq))).toBeGreaterThan(
      Math.max(...events.body.events.map((e) => e.seq)),
    );
  });
});
