import { isKosError } from '@kos/protocol';
import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  ResourceTemplate,
  type McpServer,
  type ReadResourceResult,
  type Variables,
} from '@modelcontextprotocol/server';
import { getGoal, getTask } from '../../app/index.ts';
import type { EventRecord } from '../../store/records.ts';
import { eventView, goalView, taskView } from '../views.ts';
import type { McpEnv } from './tool.ts';

export const goalUri = (id: string) => `kos://goals/${id}`;
export const taskUri = (id: string) => `kos://tasks/${id}`;

/** The resources a committed event changes: its goal's (which lists its tasks) and its task's. */
export function urisOf(e: Pick<EventRecord, 'goalId' | 'taskId'>): string[] {
  return [
    ...(e.goalId === null ? [] : [goalUri(e.goalId)]),
    ...(e.taskId === null ? [] : [taskUri(e.taskId)]),
  ];
}

/**
 * `kos://goals/{id}` (the goal with its tasks, as `get_goal` answers) and `kos://tasks/{id}` (the
 * task with its history), JSON; any token may read them. Subscribers hear `resources/updated` when
 * a committed event concerns one (route.ts).
 */
export function registerResources(server: McpServer, env: McpEnv): void {
  const { deps } = env;
  server.registerResource(
    'goal',
    new ResourceTemplate('kos://goals/{id}', { list: undefined }),
    {
      title: 'A goal with its tasks',
      description: 'The goal and its tasks (states, results, errors, waiting reasons), as get_goal answers.',
      mimeType: 'application/json',
    },
    (uri, vars) =>
      read(uri, env, async () => {
        const { goal, tasks } = await getGoal(deps, idOf(vars));
        return { goal: goalView(goal), tasks: tasks.map(taskView) };
      }),
  );
  server.registerResource(
    'task',
    new ResourceTemplate('kos://tasks/{id}', { list: undefined }),
    {
      title: 'A task with its history',
      description:
        'The task and its event log (leases, progress, results), as GET /orchestration/tasks/:id answers.',
      mimeType: 'application/json',
    },
    (uri, vars) =>
      read(uri, env, async () => {
        const { task, history } = await getTask(deps, idOf(vars));
        return { task: taskView(task), history: history.map(eventView) };
      }),
  );
}

const idOf = (vars: Variables): string => [vars.id].flat()[0] ?? '';

async function read(uri: URL, env: McpEnv, body: () => Promise<object>): Promise<ReadResourceResult> {
  try {
    return {
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(await body()) }],
    };
  } catch (e) {
    if (!isKosError(e)) {
      env.log.error({ err: e, uri: uri.href }, 'MCP resource read failed');
      throw new ProtocolError(ProtocolErrorCode.InternalError, 'KOS_ERR_INTERNAL: see the orchestrator log');
    }
    if (e.status === 404) throw new ResourceNotFoundError(uri.href, `${e.code}: ${e.message}`);
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${e.code}: ${e.message}`, {
      error: e.toJSON(),
    });
  }
}
