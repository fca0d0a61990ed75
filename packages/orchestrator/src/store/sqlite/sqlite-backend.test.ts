import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReadTx, Tx } from '../backend.ts';
import { runBackendContract } from '../backend-contract.ts';
import { goal, task } from '../../records.fixture.ts';
import { MIGRATIONS } from './migrations.ts';
import { FIXED_READ_SQL, listEventsQuery, listGoalsQuery, listTasksQuery } from './read-queries.ts';
import { openSqliteBackend, registerFunctions, type SqliteBackend } from './sqlite-backend.ts';

runBackendContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kos-sqlite-contract-'));
  const backend = await openSqliteBackend({ file: join(dir, 'kos.db'), synchronous: 'FULL' });
  return {
    backend,
    cleanup: async () => {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite backend', () => {
  let dir: string;
  let file: string;
  const open: SqliteBackend[] = [];
  const openBackend = async (synchronous: 'FULL' | 'NORMAL' = 'FULL'): Promise<SqliteBackend> => {
    const b = await openSqliteBackend({ file, synchronous });
    open.push(b);
    return b;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-sqlite-'));
    file = join(dir, 'nested', 'folder', 'kos.db');
  });
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the folder, runs each migration once and records it in schema_migrations', async () => {
    await (await openBackend()).close();
    await (await openBackend()).close();
    const raw = new Database(file, { readonly: true });
    const rows = raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    const mode = raw.pragma('journal_mode', { simple: true });
    raw.close();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(mode).toBe('wal');
  });

  it('numbers its migrations 1, 2, 3… without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('refuses to open a database whose schema is newer than this build knows', async () => {
    await (await openBackend()).close();
    const raw = new Database(file);
    raw
      .prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)')
      .run(MIGRATIONS.at(-1)!.version + 1, 'from-the-future', 0);
    raw.close();
    await expect(openSqliteBackend({ file, synchronous: 'FULL' })).rejects.toMatchObject({
      code: 'KOS_ERR_STORE_UNAVAILABLE',
      message: expect.stringContaining(`schema version ${MIGRATIONS.at(-1)!.version + 1}`),
    });
  });

  it('rejects an in-memory database or an unknown synchronous mode with KOS_ERR_CONFIG_INVALID', async () => {
    await expect(openSqliteBackend({ file: ':memory:', synchronous: 'FULL' })).rejects.toMatchObject({
      code: 'KOS_ERR_CONFIG_INVALID',
    });
    const bad = { file, synchronous: 'OFF' } as unknown as { file: string; synchronous: 'FULL' };
    await expect(openSqliteBackend(bad)).rejects.toMatchObject({ code: 'KOS_ERR_CONFIG_INVALID' });
  });

  it('keeps committed data across close and reopen', async () => {
    const first = await openBackend('NORMAL');
    const g = goal({ id: 'kept' });
    await first.transaction((tx) => tx.insertGoal(g));
    await first.close();
    const again = await openBackend();
    expect(await again.read((tx) => tx.getGoal(g.id))).toEqual(g);
  });

  it('commits the other operations of a batch when one of them throws', async () => {
    const b = await openBackend();
    const boom = new Error('boom');
    const ops = [
      b.transaction((tx) => tx.insertGoal(goal({ id: 'a' }))),
      b.transaction(async (tx) => {
        await tx.insertGoal(goal({ id: 'b' }));
        throw boom;
      }),
      b.transaction(async (tx) => ({ a: await tx.getGoal('a'), b: await tx.getGoal('b') })),
    ];
    const [first, second, third] = await Promise.allSettled(ops);
    expect(first?.status).toBe('fulfilled');
    expect(second).toEqual({ status: 'rejected', reason: boom });
    expect(third).toEqual({ status: 'fulfilled', value: { a: goal({ id: 'a' }), b: null } });
    expect(await b.read((tx) => tx.getGoal('b'))).toBeNull();
  });

  it('commits more concurrent operations than one batch holds', async () => {
    const b = await openBackend('NORMAL');
    await Promise.all(
      Array.from({ length: 2500 }, (_, i) =>
        b.transaction((tx) =>
          tx.appendEvents([
            { at: i, kind: 'audit', goalId: null, taskId: null, agentId: null, actor: 't', data: {} },
          ]),
        ),
      ),
    );
    const events = await b.read((tx) => tx.listEvents({ limit: 5000 }));
    expect(events.map((e) => e.at)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('commits what was submitted before close, then rejects new work with KOS_ERR_NOT_READY', async () => {
    const b = await openBackend();
    const pending = b.transaction((tx) => tx.insertGoal(goal({ id: 'last' })));
    const closing = b.close();
    await expect(pending).resolves.toBeUndefined();
    await closing;
    await expect(b.transaction(async () => 1)).rejects.toMatchObject({ code: 'KOS_ERR_NOT_READY' });
    await expect(b.read(async () => 1)).rejects.toMatchObject({ code: 'KOS_ERR_NOT_READY' });
    expect(await b.ping()).toBe(false);
    const again = await openBackend();
    expect(await again.read((tx) => tx.getGoal('last'))).toEqual(goal({ id: 'last' }));
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    const b = await openBackend();
    let leaked: Tx | undefined;
    let leakedRead: ReadTx | undefined;
    await b.transaction(async (tx) => {
      leaked = tx;
    });
    await b.read(async (tx) => {
      leakedRead = tx;
    });
    await expect(leaked!.insertGoal(goal({ id: 'late' }))).rejects.toMatchObject({
      code: 'KOS_ERR_INTERNAL',
    });
    await expect(leakedRead!.getGoal('late')).rejects.toMatchObject({ code: 'KOS_ERR_INTERNAL' });
  });

  it('round-trips any JSON value as task input and result', async () => {
    const b = await openBackend('NORMAL');
    await b.transaction((tx) => tx.insertGoal(goal({ id: 'json' })));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.jsonValue(), async (input, result) => {
        const t = task('json', { id: `t${n++}`, input, result });
        await b.transaction((tx) => tx.insertTasks([t]));
        const back = await b.read((tx) => tx.getTask(t.id));
        // JSON itself maps -0 to 0; everything else must come back as it went in.
        expect(back).toEqual({
          ...t,
          input: JSON.parse(JSON.stringify(input)),
          result: JSON.parse(JSON.stringify(result)),
        });
      }),
      { numRuns: 100 },
    );
  });

  it('answers every list query of a growing table from an index, never a full scan', async () => {
    await (await openBackend()).close();
    const raw = new Database(file, { readonly: true });
    registerFunctions(raw);
    const queries = [
      ...Object.values(FIXED_READ_SQL).map((sql) => ({
        sql,
        args: Array<null>(sql.split('?').length - 1).fill(null),
      })),
      listGoalsQuery({}, { limit: 10, after: 'g' }),
      listGoalsQuery({ states: ['running'] }, { limit: 10 }),
      listGoalsQuery({ states: ['running', 'failed'], template: 't', text: 'x' }, { limit: 10, after: 'g' }),
      listEventsQuery({ kinds: ['task.state'], since: 5, limit: 10 }),
      listTasksQuery({ goalId: 'g' }, { limit: 10, after: 't' }),
      listTasksQuery({ agentId: 'a', states: ['leased'] }, { limit: 10 }),
      listTasksQuery({ states: ['ready'] }, { limit: 10 }),
      listTasksQuery({}, { limit: 10, after: 't' }),
      listEventsQuery({ goalId: 'g', kinds: ['audit'], limit: 10 }),
      listEventsQuery({ taskId: 't', afterSeq: 3, limit: 10 }),
      listEventsQuery({ agentId: 'a', limit: 10 }),
      listEventsQuery({ afterSeq: 3, limit: 10 }),
    ];
    const fullScans = queries.flatMap(({ sql, args }) =>
      raw
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...args)
        .map((r) => r.detail)
        .filter((d) => /^SCAN (tasks|goals|events|task_deps)\b(?!.*USING)/.test(d))
        .map((d) => `${d} in: ${sql}`),
    );
    const queuePlans = [FIXED_READ_SQL.ready, FIXED_READ_SQL.expiredLeases, FIXED_READ_SQL.dueRetries].map(
      (sql) =>
        raw
          .prepare<[null, null], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
          .all(null, null)
          .map((r) => r.detail)
          .join(' | '),
    );
    raw.close();
    expect(fullScans).toEqual([]);
    // The scheduler's queues are walked in index order up to the limit, never sorted whole.
    expect(queuePlans).toEqual([
      'SCAN tasks USING INDEX tasks_ready',
      'SEARCH tasks USING INDEX tasks_lease_expiry (lease_expires_at<?)',
      'SEARCH tasks USING INDEX tasks_retry_due (available_at<?)',
    ]);
  });

  it('loses no acknowledged transaction when its process is killed with SIGKILL', async () => {
    const script = fileURLToPath(new URL('./crash-writer.fixture.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, file, 'FULL'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: string[] = [];
    let partial = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      acked.push(...lines);
      if (acked.length >= 500) child.kill('SIGKILL');
    });
    expect(await exited).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(500);
    const b = await openBackend();
    const missing = await b.read(async (tx) => {
      const lost: string[] = [];
      for (const id of acked) if ((await tx.getGoal(id)) === null) lost.push(id);
      return lost;
    });
    expect(missing).toEqual([]);
  });
});
