import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  approveTask,
  cancelTask,
  completeTask,
  denyTask,
  failTask,
  getTask,
  listTasks,
  retryTask,
} from '../../app/index.ts';
import type { ApiDeps } from '../deps.ts';
import {
  CancelBody,
  CompleteBody,
  FailBody,
  IdParams,
  OperatorBody,
  TasksQuery,
  noBodyIsEmpty,
} from '../schemas.ts';
import { eventView, taskView } from '../views.ts';

const tags = ['tasks'];

/**
 * Tasks: the holder's result or failure (seed 002's complete, and fail), reads, and the
 * operator's actions (cancel, retry a dead letter, approve or deny). Each action is audited: its
 * events carry the caller's token as the actor, and the reason.
 */
export function taskRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { auth } = deps;

  r.post('/orchestration/complete', { schema: { body: CompleteBody, tags } }, async (req) => {
    const actor = await auth.actor(req, 'task.complete');
    const b = req.body;
    const task = await completeTask(deps, actor, {
      taskId: b.subtask_uuid,
      agentId: b.agent_id,
      epoch: b.epoch,
      result: b.result,
    });
    return { message: `task ${task.name} completed`, task: taskView(task) };
  });

  r.post('/orchestration/fail', { schema: { body: FailBody, tags } }, async (req) => {
    const actor = await auth.actor(req, 'task.fail');
    const b = req.body;
    const task = await failTask(deps, actor, {
      taskId: b.subtask_uuid,
      agentId: b.agent_id,
      epoch: b.epoch,
      error: b.error,
    });
    return { task: taskView(task) };
  });

  r.get('/orchestration/tasks', { schema: { querystring: TasksQuery, tags } }, async (req) => {
    await auth.require(req, 'read');
    const q = req.query;
    const page = await listTasks(deps, {
      goalId: q.goal_id,
      agentId: q.agent_id,
      state: q.state,
      limit: q.limit ?? 50,
      after: q.after,
    });
    return { tasks: page.items.map(taskView), next: page.next };
  });

  r.get('/orchestration/tasks/:id', { schema: { params: IdParams, tags } }, async (req) => {
    await auth.require(req, 'read');
    const { task, history } = await getTask(deps, req.params.id);
    return { task: taskView(task), history: history.map(eventView) };
  });

  // A leased task is `cancelling` until its agent acknowledges or the grace deadline passes; its
  // dependents are skipped at once (docs/cancellation-and-delegation.md).
  r.post(
    '/orchestration/tasks/:id/cancel',
    { schema: { params: IdParams, body: CancelBody, tags }, preValidation: noBodyIsEmpty },
    async (req) => {
      const actor = await auth.actor(req, 'task.cancel');
      const task = await cancelTask(deps, actor, { taskId: req.params.id, reason: req.body?.reason });
      return { task: taskView(task) };
    },
  );

  const operator = { schema: { params: IdParams, body: OperatorBody, tags }, preValidation: noBodyIsEmpty };
  const actions = [
    ['retry', 'task.retry', retryTask],
    ['approve', 'task.approve', approveTask],
    ['deny', 'task.approve', denyTask],
  ] as const;
  for (const [path, permission, act] of actions) {
    r.post(`/orchestration/tasks/:id/${path}`, operator, async (req) => {
      const actor = await auth.actor(req, permission);
      const task = await act(deps, actor, { taskId: req.params.id, reason: req.body?.reason });
      return { task: taskView(task) };
    });
  }
}
