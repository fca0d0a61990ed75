import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { poll, startServer, tempDir, useServer } from '@kos/testing';
import { registerAgent, submitDag } from './fixtures.ts';

describe('operations endpoints', () => {
  const running = useServer();

  it('answers /healthz and /readyz without a token', async () => {
    const anon = running.admin.as(undefined);
    expect((await anon.get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await anon.get('/readyz')).body).toEqual({ status: 'ready' });
  });

  it('serves an OpenAPI document with every seed route and its body schema', async () => {
    const doc = await running.admin.get<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    }>('/openapi.json');
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const p of ['register', 'decompose', 'complete', 'heartbeat', 'unregister', 'fail']) {
      expect(doc.body.paths[`/orchestration/${p}`]?.post?.requestBody, p).toBeDefined();
    }
    expect(doc.body.paths['/orchestration/tensor']?.get).toBeDefined();
    expect(doc.body.paths['/orchestration/status']?.get).toBeDefined();
  });

  it('exposes Prometheus metrics that move with the work done', async () => {
    const worker = await registerAgent(running.admin, 'metered', ['m']);
    await submitDag(running.admin, [{ name: 'one', skills: ['m'] }]);
    await poll(async () => (await worker.leases())[0]);
    const metrics = await running.admin.get<string>('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/kos_goals_submitted_total 1/);
    expect(metrics.body).toMatch(/kos_assignments_total [1-9]/);
    expect(metrics.body).toMatch(/kos_store_commit_batch_size_count [1-9]/);
    // State gauges are current at each scrape, without anyone reading the status first.
    expect(metrics.body).toMatch(/kos_agents\{state="active"\} [1-9]/);
    expect(metrics.body).toMatch(/kos_agent_breakers\{state="open"\} 0/);
  });

  it('returns the tensor in sparse form, filtered by goal', async () => {
    await registerAgent(running.admin, 'sparse-a', ['sp']);
    await registerAgent(running.admin, 'sparse-b', ['sp']);
    const dag = await submitDag(running.admin, [
      { name: 'first', skills: ['sp'], priority: 'critical' },
      { name: 'second', skills: ['sp'], priority: 'low', depends_on: ['first'] },
    ]);
    const t = await poll(async () => {
      const res = await running.admin.get<{
        shape: number[];
        tasks: string[];
        entries: [number, number, number, number][];
      }>(`/orchestration/tensor?goal_id=${dag.goal_id}&format=sparse`);
      return res.body.entries.some((e) => e[3] === 1) ? res.body : undefined;
    });
    expect(t.shape[0]).toBe(2);
    expect(t.shape[2]).toBe(4);
    // Only the leased critical task has a cell: one 1.0 at level 0; the pending one has none.
    expect(t.entries).toHaveLength(1);
    expect(t.entries[0]!.slice(2)).toEqual([0, 1]);
    expect(t.tasks[t.entries[0]![0]]).toBe(dag.subtasks[0]!.id);
  });

  it('scores a ready task on its fallback skills when no active agent has its own', async () => {
    const fb = await registerAgent(running.admin, 'fallback-only', ['fbk'], 1);
    await submitDag(running.admin, [{ name: 'hold', skills: ['fbk'] }], 'keeps the agent busy');
    await poll(async () => (await fb.leases())[0]);
    const dag = await submitDag(running.admin, [
      {
        name: 'needs',
        skills: ['nobody-has-it'],
        policy: { fallback: { skills: ['fbk'], after_attempts: 3 } },
      },
    ]);
    const t = (
      await running.admin.get<{ agent_names: string[]; entries: [number, number, number, number][] }>(
        `/orchestration/tensor?goal_id=${dag.goal_id}&format=sparse`,
      )
    ).body;
    // Ready (its only capable agent is full), yet scored on the agent that has its fallback skill.
    expect(t.entries.map((e) => t.agent_names[e[1]])).toEqual(['fallback-only']);
  });

  it('reports a task feasible at decompose when an agent has its fallback skills, and runs it there', async () => {
    const standby = await registerAgent(running.admin, 'standby', ['fb-manual']);
    const res = await running.admin.post<{
      subtasks: { id: string }[];
      feasibility: { feasible: boolean; missing_skills: unknown[] };
    }>('/orchestration/decompose', {
      goal: 'a task only its fallback can serve',
      tasks: [{ name: 'auto', skills: ['fb-auto'], policy: { fallback: { skills: ['fb-manual'] } } }],
    });
    expect(res.status).toBe(201);
    expect(res.body.feasibility).toEqual({ feasible: true, missing_skills: [] });
    const lease = await poll(async () => (await standby.leases())[0]);
    expect(lease.subtask_uuid).toBe(res.body.subtasks[0]!.id);
  });
});

describe('start-up configuration', () => {
  it('refuses to start with a bad value and names it', async () => {
    const dir = tempDir('kos-badcfg-');
    const file = path.join(dir, 'kos.yaml');
    writeFileSync(file, 'retry:\n  max_attempts: zero\nleases:\n  ttl_ms: -5\n');
    const failure = await startServer({ configFile: file }).then(
      () => 'started',
      (e: Error) => e.message,
    );
    expect(failure).toContain('retry.max_attempts');
    expect(failure).toContain('leases.ttl_ms');
  });
});
