import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { poll, tempDir, useServer, type Http } from '@kos/testing';
import { registerAgent } from './fixtures.ts';

interface EventView {
  seq: number;
  kind: string;
  goal_id: string | null;
  data: { from?: string; to?: string };
}

interface GoalView {
  id: string;
  state: string;
  policy: { on_task_death: string; max_parallel_tasks: number | null; weight: number };
}

const LEASED = new Set(['leased', 'running', 'cancelling']);

async function allEvents(admin: Http): Promise<EventView[]> {
  const out: EventView[] = [];
  for (let after = 0; ;) {
    const page = await admin.get<{ events: EventView[]; next: number | null }>(
      `/orchestration/events?limit=1000&after=${after}`,
    );
    out.push(...page.body.events);
    if (page.body.next === null) return out;
    after = page.body.next;
  }
}

/** Replays the event log: the most tasks of each goal that were leased at once. */
function peakLeased(events: readonly EventView[]): Map<string, number> {
  const now = new Map<string, number>();
  const peak = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== 'task.state' || e.goal_id === null) continue;
    const delta = Number(LEASED.has(e.data.to ?? '')) - Number(LEASED.has(e.data.from ?? ''));
    const n = (now.get(e.goal_id) ?? 0) + delta;
    now.set(e.goal_id, n);
    peak.set(e.goal_id, Math.max(peak.get(e.goal_id) ?? 0, n));
  }
  return peak;
}

const tasks = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, skills: ['w'] }));

describe('bulkheads over HTTP', () => {
  const running = useServer();

  it('never leases more of a goal than its max_parallel_tasks, while other goals use the free slots', async () => {
    const agents = [
      await registerAgent(running.admin, 'w1', ['w'], 3),
      await registerAgent(running.admin, 'w2', ['w'], 3),
    ];
    const capped = await running.admin.post<{ goal_id: string; goal: GoalView }>('/orchestration/decompose', {
      goal: 'capped',
      tasks: tasks('c', 8),
      policy: { max_parallel_tasks: 2, weight: 5 },
    });
    expect(capped.status).toBe(201);
    expect(capped.body.goal.policy).toEqual({ on_task_death: 'fail_fast', max_parallel_tasks: 2, weight: 5 });
    const open = await running.admin.post<{ goal_id: string; goal: GoalView }>('/orchestration/decompose', {
      goal: 'open',
      tasks: tasks('o', 8),
      policy: { on_task_death: 'continue' },
    });
    expect(open.body.goal.policy).toEqual({ on_task_death: 'continue', max_parallel_tasks: null, weight: 1 });

    // Without its cap the heavier goal would take 5 of every 6 slots.
    // Agents hold their leases and finish one per turn, so leases pile up as far as the caps let them.
    const goalState = async (id: string) =>
      (await running.admin.get<{ goal: GoalView }>(`/orchestration/goals/${id}`)).body.goal.state;
    await poll(
      async () => {
        for (const agent of agents) {
          const [lease] = await agent.leases();
          if (lease === undefined) continue;
          const done = await agent.http.post('/orchestration/complete', {
            subtask_uuid: lease.subtask_uuid,
            result: null,
            epoch: lease.epoch,
          });
          expect(done.status).toBe(200);
        }
        const states = [await goalState(capped.body.goal_id), await goalState(open.body.goal_id)];
        return states.every((s) => s === 'succeeded') ? states : undefined;
      },
      { what: 'both goals to succeed', timeoutMs: 30_000 },
    );

    const peak = peakLeased(await allEvents(running.admin));
    expect(peak.get(capped.body.goal_id)).toBe(2);
    // The capped goal, first in the queue, did not hold the other goal back to its own pace.
    expect(peak.get(open.body.goal_id)).toBeGreaterThanOrEqual(3);
  });

  it('refuses a bad goal policy with a typed 400 and stores nothing', async () => {
    const before = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals?limit=500');
    const lastSeq = (await allEvents(running.admin)).at(-1)?.seq;
    for (const policy of [
      { max_parallel_tasks: 0 },
      { max_parallel_tasks: 2.5 },
      { weight: 0 },
      { weight: 1001 },
      { on_task_death: 'explode' },
      { weight: 2, surprise: true },
      'fail_fast',
    ]) {
      const res = await running.admin.post<{ error: { code: string } }>('/orchestration/decompose', {
        goal: 'bad policy',
        tasks: tasks('t', 1),
        policy,
      });
      expect(res.status, JSON.stringify(policy)).toBe(400);
      expect(res.body.error.code).toBe('KOS_ERR_VALIDATION');
    }
    const after = await running.admin.get<{ goals: unknown[] }>('/orchestration/goals?limit=500');
    expect(after.body.goals).toEqual(before.body.goals);
    expect((await allEvents(running.admin)).at(-1)?.seq).toBe(lastSeq);
  });
});

describe('the default goal limit from policies.max_parallel_per_goal', () => {
  const running = useServer(() => {
    const file = path.join(tempDir('kos-cfg-'), 'kos.yaml');
    writeFileSync(file, 'policies:\n  max_parallel_per_goal: 3\n');
    return { configFile: file };
  });

  it('applies to a goal that states no limit, and an explicit null lifts it', async () => {
    const submit = (policy?: object) =>
      running.admin.post<{ goal: GoalView }>('/orchestration/decompose', {
        goal: 'g',
        tasks: tasks('t', 1),
        ...(policy === undefined ? {} : { policy }),
      });
    expect((await submit()).body.goal.policy.max_parallel_tasks).toBe(3);
    expect((await submit({ weight: 2 })).body.goal.policy).toMatchObject({
      max_parallel_tasks: 3,
      weight: 2,
    });
    expect((await submit({ max_parallel_tasks: null })).body.goal.policy.max_parallel_tasks).toBeNull();
  });
});
