/**
 * A2A out on two replicas sharing PostgreSQL: only the leader drives a remote, so each lease is
 * sent once; when a replica is killed, the one left drives the remote on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http, poll, startServer, tempDir, type ServerHandle } from '@kos/testing';
import { createTestDatabase, type TestDatabase } from '../src/store/postgres/test-database.ts';
import { startRemote, type Remote } from './a2a-remote.ts';
import { configFile } from './fixtures.ts';

describe('A2A out on two replicas of one PostgreSQL store', () => {
  let db: TestDatabase;
  let remote: Remote;
  let config: string;
  const replicas: (ServerHandle | null)[] = [null, null];
  const dirs = [tempDir('kos-a2a-r0-'), tempDir('kos-a2a-r1-')];

  const start = async (i: number) => {
    replicas[i] = await startServer({ dataDir: dirs[i]!, configFile: config, env: { KOS_STORE: db.url } });
  };
  const api = (i: number) => new Http(replicas[i]!.url, replicas[0]?.adminToken ?? replicas[1]!.adminToken);

  /** Submits `n` independent tasks through replica `via` and waits for the goal to succeed. */
  async function runGoal(via: number, n: number): Promise<string[]> {
    const admin = api(via);
    const tasks = Array.from({ length: n }, (_, k) => ({ name: `t${k}`, skills: ['shared'] }));
    const res = await admin.post<{ goal_id: string; subtasks: { id: string }[] }>(
      '/orchestration/decompose',
      {
        goal: 'a goal for a remote',
        tasks,
      },
    );
    expect(res.status).toBe(201);
    await poll(
      async () =>
        (await admin.get<{ goal: { state: string } }>(`/orchestration/goals/${res.body.goal_id}`)).body.goal
          .state === 'succeeded',
      { timeoutMs: 30_000, what: 'the goal to succeed' },
    );
    return res.body.subtasks.map((t) => t.id);
  }

  beforeAll(async () => {
    db = await createTestDatabase('kos_a2a_out');
    config = configFile([
      'heartbeat:\n  ttl_ms: 1500\n  sweep_interval_ms: 100',
      'leases:\n  ttl_ms: 3000',
      'log:\n  level: warn',
    ]);
    await start(0);
    await start(1);
    remote = await startRemote('shared-remote', { skills: ['shared'] });
  }, 60_000);

  afterAll(async () => {
    await remote?.kill();
    for (const r of replicas) await r?.stop();
    for (const r of replicas) r?.cleanup();
    await db?.drop();
  }, 60_000);

  it('sends each lease once whichever replica registered the remote or took the goal, and goes on when either replica is killed', async () => {
    // Registered through one replica, the goal submitted through the other.
    const added = await api(1).post<{ agent: { id: string } }>('/orchestration/a2a/agents', {
      url: remote.cardUrl,
    });
    expect(added.status).toBe(201);
    const ids = await runGoal(0, 6);

    // Each replica is killed once, so the leader is among them; the other drives the remote on.
    await replicas[0]!.kill();
    ids.push(...(await runGoal(1, 3)));
    await start(0);
    await replicas[1]!.kill();
    ids.push(...(await runGoal(0, 3)));

    // No lease was sent twice (one message id per task and epoch). A failover may re-lease a task
    // (the remote looked silent while no replica led): a new epoch, a new message, one completion.
    const messages = remote.received.map((r) => r.messageId);
    expect(new Set(messages).size).toBe(messages.length);
    expect(new Set(remote.received.map((r) => r.task))).toEqual(new Set(ids));
    for (const id of ids) {
      const t = await api(0).get<{ history: { kind: string; data: Record<string, unknown> }[] }>(
        `/orchestration/tasks/${id}`,
      );
      expect(
        t.body.history.filter((e) => e.kind === 'task.state' && e.data['to'] === 'succeeded'),
      ).toHaveLength(1);
    }
  }, 120_000);
});
