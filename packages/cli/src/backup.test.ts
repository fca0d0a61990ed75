/** `kos backup` under load and `kos restore`, against real orchestrator processes. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Http, startServer, tempDir, type ServerHandle } from '@kos/testing';
import { run } from './program.ts';
import { captureIo } from './test-support.ts';

const kos = async (args: string[]) => {
  const io = captureIo({});
  const code = await run(args, io);
  return { code, out: io.out(), err: io.errText() };
};

describe('kos backup | restore', () => {
  const servers: ServerHandle[] = [];
  afterAll(async () => {
    for (const s of servers) {
      await s.stop();
      s.cleanup();
    }
  });

  it(
    'restores, from a backup taken while goals were submitted and completed, everything acknowledged before it',
    { timeout: 120_000 },
    async () => {
      const source = await startServer();
      servers.push(source);
      const admin = new Http(source.url, source.adminToken);
      const token = await admin.post<{ token: string }>('/orchestration/tokens', {
        role: 'agent',
        agent_name: 'bk',
      });
      const agent = admin.as(token.body.token);
      const reg = await agent.post<{ agent_id: string }>('/orchestration/register', {
        context_id: 'bk',
        skills: ['backup-work'],
        max_parallel: 50,
      });
      const agentId = reg.body.agent_id;

      // The load: goals submitted and their task completed by a REST agent, each acknowledgement timed.
      const acked = {
        goals: [] as { id: string; at: number }[],
        results: [] as { task: string; at: number }[],
      };
      let loading = true;
      const submitter = (async () => {
        for (let i = 0; loading; i++) {
          const res = await admin.post<{ goal_id: string }>('/orchestration/decompose', {
            goal: `backed up ${i}`,
            tasks: [{ name: 'step', skills: ['backup-work'] }],
          });
          if (res.status === 201) acked.goals.push({ id: res.body.goal_id, at: Date.now() });
        }
      })();
      const worker = (async () => {
        while (loading) {
          const hb = await agent.post<{ leases: { subtask_uuid: string; epoch: number }[] }>(
            '/orchestration/heartbeat',
            { agent_id: agentId },
          );
          for (const l of hb.body.leases ?? []) {
            const done = await agent.post('/orchestration/complete', {
              subtask_uuid: l.subtask_uuid,
              epoch: l.epoch,
              result: { backed: l.subtask_uuid },
            });
            if (done.status === 200) acked.results.push({ task: l.subtask_uuid, at: Date.now() });
          }
        }
      })();
      while (acked.results.length < 20) await new Promise((r) => setTimeout(r, 20));

      const file = path.join(tempDir('kos-backup-'), 'kos-backup.db');
      const startedAt = Date.now();
      const backup = await kos(['backup', file, '--data-dir', source.dataDir, '--json']);
      expect(backup.code).toBe(0);
      while (acked.goals.filter((g) => g.at > startedAt).length < 5)
        await new Promise((r) => setTimeout(r, 20));
      loading = false;
      await Promise.all([submitter, worker]);
      const before = {
        goals: acked.goals.filter((g) => g.at < startedAt),
        results: acked.results.filter((r) => r.at < startedAt),
      };
      expect(before.goals.length).toBeGreaterThan(0);
      expect(before.results.length).toBeGreaterThanOrEqual(20);
      expect(JSON.parse(backup.out)).toMatchObject({ file });

      // Refusals: an existing backup file, an existing store, a file that is no store.
      const again = await kos(['backup', file, '--data-dir', source.dataDir]);
      expect(again).toMatchObject({ code: 1 });
      expect(again.err).toContain('KOS_ERR_FILE_EXISTS');
      const overStore = await kos(['restore', file, '--data-dir', source.dataDir]);
      expect(overStore.err).toContain('KOS_ERR_FILE_EXISTS');
      const junk = path.join(tempDir('kos-junk-'), 'junk.db');
      writeFileSync(junk, 'not a database');
      expect((await kos(['restore', junk, '--data-dir', tempDir('kos-restored-')])).err).toContain(
        'KOS_ERR_BACKUP_INVALID',
      );

      const dir = tempDir('kos-restored-');
      const restored = await kos(['restore', file, '--data-dir', dir]);
      expect(restored.code).toBe(0);
      const copy = await startServer({ dataDir: dir });
      servers.push(copy);
      const read = new Http(copy.url, copy.adminToken);
      for (const g of before.goals) expect((await read.get(`/orchestration/goals/${g.id}`)).status).toBe(200);
      for (const r of before.results) {
        const t = await read.get<{ task: { state: string; result: unknown } }>(
          `/orchestration/tasks/${r.task}`,
        );
        expect(t.body.task).toMatchObject({ state: 'succeeded', result: { backed: r.task } });
      }
    },
  );
});
