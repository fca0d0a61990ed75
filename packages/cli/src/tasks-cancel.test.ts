import { afterEach, describe, expect, it } from 'vitest';
import type { WireTask } from '@kos/contracts';
import { run } from './program.ts';
import { taskDetail } from './render.ts';
import { cannedServer, captureIo, type CannedServer } from './test-support.ts';

const ID = '0b6f1f5e-3c4d-4e8a-9a51-1f2e3d4c5b6a';
const AGENT = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

let server: CannedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function kos(...args: string[]) {
  const io = captureIo({ KOS_URL: server!.url, KOS_TOKEN: 't' });
  const code = await run(args, io);
  return { code, out: io.out(), err: io.errText() };
}

describe('kos tasks cancel', () => {
  it('posts the cancel with its reason and prints the task’s new state', async () => {
    server = await cannedServer(() => ({ status: 200, body: { task: { id: ID, state: 'cancelling' } } }));
    const r = await kos('tasks', 'cancel', ID, '--reason', 'not needed');
    expect(r).toEqual({ code: 0, out: `task ${ID} cancelling\n`, err: '' });
    const [req] = server.requests;
    expect([req?.method, req?.url]).toEqual(['POST', `/orchestration/tasks/${ID}/cancel`]);
    expect(JSON.parse(req?.body ?? '')).toEqual({ reason: 'not needed' });
  });

  it('exits 1 with the error code when the task has finished', async () => {
    server = await cannedServer(() => ({
      status: 409,
      body: { error: { code: 'KOS_ERR_TASK_FINISHED', message: `task ${ID} is succeeded` } },
    }));
    const r = await kos('tasks', 'cancel', ID);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error KOS_ERR_TASK_FINISHED: /);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({});
  });
});

describe('kos tasks show', () => {
  it('shows the delegation chain of a task', () => {
    const task = {
      id: ID,
      goal_id: ID,
      name: 'job',
      skills: ['s'],
      priority: 'medium',
      estimated_duration_ms: 1,
      depends_on: [],
      state: 'ready',
      attempts: 0,
      max_attempts: 3,
      epoch: 2,
      agent_id: null,
      lease_expires_at: null,
      available_at: '2026-01-01T00:00:00.000Z',
      input: null,
      result: null,
      error: null,
      deadline_at: null,
      waiting_reason: null,
      delegations: [
        { agent_id: AGENT, action: 'declined', reason: 'no GPU', to: null, at: '2026-01-01T00:00:00.000Z' },
        { agent_id: ID, action: 'delegated', reason: 'EU only', to: AGENT, at: '2026-01-01T00:00:01.000Z' },
      ],
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      finished_at: null,
    } as unknown as WireTask;
    expect(taskDetail(task, [])).toMatch(
      /handed off\s+7c1d2e3f declined \(no GPU\) → 0b6f1f5e delegated to 7c1d2e3f \(EU only\)/,
    );
  });
});
