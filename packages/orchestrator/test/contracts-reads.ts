/** The contracts drive's reads (contracts.test.ts): every read route, at a moment worth a look. */
import type { GoalResponse } from '@kos/contracts';
import { readDashboard, type Call } from './contracts-dashboard.ts';

/** Every read route, at a moment worth a look. */
export async function readEverything(call: Call, goalId: string, agentIds: readonly string[]): Promise<void> {
  const task = (id: string) => call('GET /orchestration/tasks/:id', `/orchestration/tasks/${id}`);
  await call('GET /orchestration/status', '/orchestration/status');
  await call('GET /orchestration/tensor', '/orchestration/tensor');
  await call('GET /orchestration/tensor', '/orchestration/tensor?format=sparse');
  await call('GET /orchestration/tensor', `/orchestration/tensor?goal_id=${goalId}&format=dense`);
  await call('GET /orchestration/goals', '/orchestration/goals');
  await call('GET /orchestration/goals', '/orchestration/goals?limit=1');
  const goal = await call<GoalResponse>('GET /orchestration/goals/:id', `/orchestration/goals/${goalId}`);
  for (const t of goal.body.tasks) await task(t.id);
  await readDashboard(
    call,
    goalId,
    goal.body.tasks.map((t) => t.id),
  );
  await call('GET /orchestration/tasks', '/orchestration/tasks');
  await call('GET /orchestration/tasks', `/orchestration/tasks?goal_id=${goalId}&limit=2`);
  await call('GET /orchestration/agents', '/orchestration/agents');
  for (const id of agentIds) await call('GET /orchestration/agents/:id', `/orchestration/agents/${id}`);
  await call('GET /orchestration/events', '/orchestration/events?limit=1000');
  await call('GET /orchestration/events', '/orchestration/events?limit=3');
}
