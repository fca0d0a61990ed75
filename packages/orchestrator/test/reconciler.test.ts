import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { poll, tempDir, useServer } from '@kos/testing';
import { goal, task } from '../src/records.fixture.ts';
import { openSqliteBackend } from '../src/store/sqlite/index.ts';
import { registerAgent, getTask } from './fixtures.ts';

interface ReconcilerView {
  interval_ms: number;
  runs: number;
  rounds_requested: number;
  last_run_at: string | null;
  violations: Record<string, { count: number; examples: { subject: string; detail: string }[] }> | null;
}

const status = async (admin: ReturnType<typeof useServer>['admin']) =>
  (await admin.get<{ reconciler: ReconcilerView }>('/orchestration/status')).body.reconciler;

/** The reconciler of a real orchestrator process: reported in status and metrics, and its self-heal. */
describe('the reconciler in a running orchestrator', () => {
  const running = useServer(() => {
    const file = path.join(tempDir('kos-cfg-'), 'kos.yaml');
    writeFileSync(file, 'reconciler:\n  interval_ms: 150\n  grace_ms: 100\n');
    return { configFile: file };
  });

  /** Writes a goal and its task straight into the server's database, as no verb would. */
  async function writeBehind(g: ReturnType<typeof goal>, t: ReturnType<typeof task>) {
    const side = await openSqliteBackend({
      file: path.join(running.server.dataDir, 'kos.db'),
      synchronous: 'FULL',
    });
    await side.transaction(async (tx) => {
      await tx.insertGoal(g);
      await tx.insertTasks([t]);
    });
    await side.close();
  }

  it('reports a consistent store as clean in status and metrics', async () => {
    const first = await poll(async () => {
      const r = await status(running.admin);
      return r.runs >= 2 ? r : undefined;
    });
    expect(first.interval_ms).toBe(150);
    expect(first.last_run_at).not.toBeNull();
    expect(Object.values(first.violations ?? {}).map((v) => v.count)).toEqual([0, 0, 0, 0, 0]);
    const metrics = (await running.admin.get<string>('/metrics')).body;
    expect(metrics).toMatch(/kos_reconciler_runs_total [1-9]/);
    expect(metrics).toContain('kos_reconciler_violations{kind="unassigned_ready"} 0');
  });

  it('asks for a round when a ready task written behind the scheduler waits for a free agent', async () => {
    await registerAgent(running.admin, 'w', ['w'], 2);
    // A ready task no verb announced (written straight into the database): no round was asked for.
    const g = goal({ taskCount: 1 });
    const t = task(g.id, { state: 'ready', skills: ['w'], availableAt: Date.now() - 1000, readyKey: 0 });
    await writeBehind(g, t);
    const leased = await poll(async () => {
      const view = await getTask(running.admin, t.id);
      return view.state === 'leased' ? view : undefined;
    });
    expect(leased.attempts).toBe(1);
    const r = await status(running.admin);
    expect(r.rounds_requested).toBeGreaterThanOrEqual(1);
    expect(r.violations?.['unassigned_ready']?.count).toBe(0);
    expect((await running.admin.get<string>('/metrics')).body).toMatch(
      /kos_reconciler_rounds_requested_total [1-9]/,
    );
  });

  it('reports goal counters that disagree with the tasks in status, metrics and the log, and changes nothing', async () => {
    const g = goal({ taskCount: 1, succeededCount: 1 });
    const t = task(g.id, { state: 'pending', skills: ['nobody-has-this'] });
    await writeBehind(g, t);
    const found = await poll(async () => {
      const r = await status(running.admin);
      return (r.violations?.['goal_counts']?.count ?? 0) > 0 ? r.violations?.['goal_counts'] : undefined;
    });
    expect(found?.examples[0]).toEqual({
      subject: g.id,
      detail: `goal ${g.id}: succeededCount 1, tasks say 0`,
    });
    expect((await running.admin.get<string>('/metrics')).body).toContain(
      'kos_reconciler_violations{kind="goal_counts"} 1',
    );
    expect(running.server.lines.some((l) => l.includes('reconciler found invariant violations'))).toBe(true);
    const after = await running.admin.get<{ goal: { succeeded_count: number; state: string } }>(
      `/orchestration/goals/${g.id}`,
    );
    expect(after.body.goal).toMatchObject({ succeeded_count: 1, state: 'running' });
  });
});
