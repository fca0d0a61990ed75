import { describe, expect, it } from 'vitest';
import { poll, useServer } from '@kos/testing';
import { fastTimersConfig, getTask, registerAgent, submitDag } from './fixtures.ts';

/** Leases, heartbeats and fencing with short TTLs (heartbeat 600 ms, sweep 100 ms). */
describe('leases and heartbeats', () => {
  const running = useServer(() => ({ configFile: fastTimersConfig() }));

  it('marks a silent agent lost, reassigns its task, and rejects its late completion', async () => {
    const silent = await registerAgent(running.admin, 'silent', ['s1'], 1);
    const dag = await submitDag(running.admin, [{ name: 'job', skills: ['s1'] }]);
    const task = dag.subtasks[0]!;
    const first = await poll(async () => (await silent.leases())[0]);
    expect(first.epoch).toBe(1);

    // A second agent that keeps heartbeating; the first one goes quiet.
    const live = await registerAgent(running.admin, 'live', ['s1'], 1);
    const second = await poll(async () => (await live.leases()).find((l) => l.subtask_uuid === task.id), {
      what: 'the task to move to the live agent',
    });
    expect(second.epoch).toBe(2);
    expect(second.attempt).toBe(2);
    const agents = await running.admin.get<{ agents: { name: string; state: string }[] }>(
      '/orchestration/agents',
    );
    expect(agents.body.agents.find((a) => a.name === 'silent')?.state).toBe('lost');

    const late = await silent.http.post<{ error: { code: string } }>('/orchestration/complete', {
      subtask_uuid: task.id,
      result: 'late',
      epoch: first.epoch,
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('KOS_ERR_STALE_EPOCH');
    expect((await getTask(running.admin, task.id)).state).toBe('leased');

    const ok = await live.http.post('/orchestration/complete', {
      subtask_uuid: task.id,
      result: 'ok',
      epoch: second.epoch,
    });
    expect(ok.status).toBe(200);
    const history = await running.admin.get<{ history: { kind: string; data: { reason?: string } }[] }>(
      `/orchestration/tasks/${task.id}`,
    );
    expect(history.body.history.find((e) => e.kind === 'task.lease_revoked')?.data.reason).toBe('agent_lost');
    await live.http.post('/orchestration/unregister', { agent_id: live.id });
  });

  it('reassigns at once when the holder unregisters', async () => {
    const leaving = await registerAgent(running.admin, 'leaving', ['s2'], 1);
    const dag = await submitDag(running.admin, [{ name: 'job', skills: ['s2'] }]);
    await poll(async () => (await leaving.leases())[0]);
    const staying = await registerAgent(running.admin, 'staying', ['s2'], 1);
    const res = await leaving.http.post<{ revoked: string[] }>('/orchestration/unregister', {
      agent_id: leaving.id,
    });
    expect(res.status).toBe(200);
    expect(res.body.revoked).toEqual([dag.subtasks[0]!.id]);
    const lease = await poll(async () => (await staying.leases())[0]);
    expect(lease.attempt).toBe(2);
    // The unregistered agent can no longer heartbeat until it registers again.
    const hb = await leaving.http.post<{ error: { code: string } }>('/orchestration/heartbeat', {
      agent_id: leaving.id,
    });
    expect(hb.body.error.code).toBe('KOS_ERR_AGENT_NOT_ACTIVE');
    await staying.http.post('/orchestration/unregister', { agent_id: staying.id });
  });

  it('retries a failed attempt with backoff and kills the task after max attempts, failing its goal', async () => {
    const worker = await registerAgent(running.admin, 'flaky', ['s3'], 1);
    const dag = await submitDag(running.admin, [
      { name: 'first', skills: ['s3'] },
      { name: 'after', skills: ['s3'], depends_on: ['first'] },
    ]);
    const id = dag.subtasks[0]!.id;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const lease = await poll(async () => (await worker.leases()).find((l) => l.subtask_uuid === id));
      expect(lease.attempt).toBe(attempt);
      const res = await worker.http.post<{ task: { state: string } }>('/orchestration/fail', {
        subtask_uuid: id,
        epoch: lease.epoch,
        error: { message: `boom ${attempt}` },
      });
      expect(res.status).toBe(200);
      expect(res.body.task.state).toBe(attempt < 3 ? 'retrying' : 'dead');
    }
    const goal = await running.admin.get<{
      goal: { state: string };
      tasks: { name: string; state: string }[];
    }>(`/orchestration/goals/${dag.goal_id}`);
    expect(goal.body.goal.state).toBe('failed');
    expect(goal.body.tasks.find((t) => t.name === 'after')?.state).toBe('cancelled');
  });

  it('does not retry a non-retryable failure', async () => {
    const worker = await registerAgent(running.admin, 'strict', ['s4'], 1);
    const dag = await submitDag(running.admin, [{ name: 'once', skills: ['s4'] }]);
    const lease = await poll(async () => (await worker.leases())[0]);
    const res = await worker.http.post<{ task: { state: string; attempts: number } }>('/orchestration/fail', {
      subtask_uuid: dag.subtasks[0]!.id,
      epoch: lease.epoch,
      error: { message: 'bad input', retryable: false },
    });
    expect(res.body.task.state).toBe('dead');
    expect(res.body.task.attempts).toBe(1);
  });

  it('cancels a goal: unfinished tasks are cancelled and the holder’s lease ends', async () => {
    const worker = await registerAgent(running.admin, 'canceller', ['s5'], 1);
    const dag = await submitDag(running.admin, [
      { name: 'a', skills: ['s5'] },
      { name: 'b', skills: ['s5'], depends_on: ['a'] },
    ]);
    const lease = await poll(async () => (await worker.leases())[0]);
    const res = await running.admin.post<{ goal: { state: string } }>(
      `/orchestration/goals/${dag.goal_id}/cancel`,
      {
        reason: 'test',
      },
    );
    expect(res.body.goal.state).toBe('cancelled');
    expect(await worker.leases()).toEqual([]);
    const late = await worker.http.post('/orchestration/complete', {
      subtask_uuid: lease.subtask_uuid,
      result: 1,
      epoch: lease.epoch,
    });
    expect(late.status).toBe(409);
    const again = await running.admin.post<{ error: { code: string } }>(
      `/orchestration/goals/${dag.goal_id}/cancel`,
      {},
    );
    expect(again.body.error.code).toBe('KOS_ERR_GOAL_FINISHED');
  });
});
