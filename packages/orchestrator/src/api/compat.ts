import type { FastifyInstance } from 'fastify';
import type { Task } from '../scheduler/task.ts';

/**
 * Drop-in fields for clients of seed 002's reference implementation (docs/api.md, "Compatibility"):
 * added beside our own fields, never instead of them.
 */

/** Every successful `/orchestration/*` answer with a JSON object body says `"success": true`. */
export function successFlag(app: FastifyInstance): void {
  app.addHook('preSerialization', async (req, reply, payload: unknown) => {
    if (!req.url.startsWith('/orchestration/') || reply.statusCode >= 400) return payload;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload;
    return { success: true, ...payload };
  });
}

/** The reference client sends priorities in upper case (CRITICAL…LOW); ours are lower case. */
export function lowerCasePriorities(body: unknown): void {
  const lower = (o: unknown): void => {
    if (o !== null && typeof o === 'object' && 'priority' in o && typeof o.priority === 'string')
      (o as { priority: string }).priority = o.priority.toLowerCase();
  };
  lower(body);
  if (body !== null && typeof body === 'object' && 'tasks' in body && Array.isArray(body.tasks))
    body.tasks.forEach(lower);
}

/** A subtask as the reference client reads it: durations in minutes, dependencies by uuid. */
export function seedSubtask(t: Task, goal: string) {
  return {
    uuid: t.id,
    required_skills: t.skills,
    dependencies: t.dependsOn,
    estimated_duration: t.estimatedDurationMs / 60_000,
    description: `${t.name}: ${goal}`,
  };
}

/** The reference client's `status` object: subtask counts that add up, and each agent's load. */
export function seedStatus(input: {
  tasks: Partial<Record<Task['state'], number>>;
  fleet: {
    id: string;
    state: string;
    skills: string[];
    active_leases: number;
    max_parallel: number;
    last_heartbeat: string | null;
  }[];
  tensorShape: readonly number[];
}) {
  const count = (states: readonly Task['state'][]) => states.reduce((n, s) => n + (input.tasks[s] ?? 0), 0);
  const total = Object.values(input.tasks).reduce<number>((n, c) => n + (c ?? 0), 0);
  const completed = count(['succeeded']);
  const running = count(['leased', 'running', 'cancelling']);
  return {
    total_subtasks: total,
    completed_subtasks: completed,
    running_subtasks: running,
    // Everything neither done nor running, so the three add up to the total (dead, cancelled,
    // skipped included: the reference has no such states).
    pending_subtasks: total - completed - running,
    registered_agents: input.fleet.filter((a) => a.state === 'active').length,
    agent_status: Object.fromEntries(
      input.fleet.map((a) => [
        a.id,
        {
          current_load: a.active_leases,
          max_load: a.max_parallel,
          skills: a.skills,
          last_heartbeat: a.last_heartbeat,
        },
      ]),
    ),
    task_tensor_shape: input.tensorShape,
  };
}
