/**
 * Tables show the first 8 characters of ids; these helpers let a person paste such a prefix
 * wherever a goal or task id is expected.
 */
import type { TaskState } from '@kos/contracts';
import type { KosClient } from './client.ts';
import { CliError, usageError } from './errors.ts';

/** Ids at least this long are taken as full ids and sent as they are. */
const FULL_ID_LENGTH = 20;
const SEARCH_LIMIT = 500;

export async function resolveGoalId(client: KosClient, id: string): Promise<string> {
  if (id.length >= FULL_ID_LENGTH) return id;
  const { goals } = await client.listGoals({ limit: SEARCH_LIMIT });
  return pick(
    'goal',
    id,
    goals.map((g) => g.id),
    'KOS_ERR_GOAL_NOT_FOUND',
  );
}

/** `state`: look among the tasks in this state (e.g. the dead ones for a retry). */
export async function resolveTaskId(client: KosClient, id: string, state?: TaskState): Promise<string> {
  if (id.length >= FULL_ID_LENGTH) return id;
  const { tasks } = await client.listTasks({
    limit: SEARCH_LIMIT,
    ...(state === undefined ? {} : { state }),
  });
  return pick(
    'task',
    id,
    tasks.map((t) => t.id),
    'KOS_ERR_TASK_NOT_FOUND',
  );
}

/** An agent by full id, id prefix, or name (the seed's context_id). */
export async function resolveAgentId(client: KosClient, idOrName: string): Promise<string> {
  const { agents } = await client.listAgents();
  const exact = agents.find((a) => a.id === idOrName || a.name === idOrName);
  if (exact !== undefined) return exact.id;
  return pick(
    'agent',
    idOrName,
    agents.map((a) => a.id),
    'KOS_ERR_AGENT_NOT_FOUND',
  );
}

/** The one id starting with `prefix`; none or several is an error saying which. */
export function pick(kind: string, prefix: string, ids: readonly string[], notFound: string): string {
  const hits = ids.filter((i) => i.startsWith(prefix));
  if (hits.length === 1 && hits[0] !== undefined) return hits[0];
  if (hits.length === 0) {
    throw new CliError('api', `no recent ${kind} id starts with "${prefix}"; pass the full id`, {
      code: notFound,
    });
  }
  throw usageError(
    `"${prefix}" matches ${hits.length} ${kind}s (${hits.slice(0, 3).join(', ')}…); give more characters`,
  );
}
