import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { IdParams, OperatorBody } from '../schemas.ts';
import { taskView } from '../views.ts';

/**
 * Operator actions on a task: retry a dead letter, approve or deny a task awaiting approval.
 * Each is audited: its events carry the caller's token as the actor, and the reason.
 */
export function operatorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { store, auth } = deps;
  const schema = { params: IdParams, body: OperatorBody, tags: ['tasks'] };

  r.post('/orchestration/tasks/:id/retry', { schema }, async (req) => {
    const token = await auth.require(req, 'task.retry');
    const reason = req.body?.reason ?? 'retried by an operator';
    const task = await store.retryTask(actorOf(token), req.params.id, reason);
    return { task: taskView(task) };
  });

  r.post('/orchestration/tasks/:id/approve', { schema }, async (req) => {
    const token = await auth.require(req, 'task.approve');
    const reason = req.body?.reason ?? 'approved by an operator';
    const task = await store.approveTask(actorOf(token), req.params.id, reason);
    return { task: taskView(task) };
  });

  r.post('/orchestration/tasks/:id/deny', { schema }, async (req) => {
    const token = await auth.require(req, 'task.approve');
    const reason = req.body?.reason ?? 'denied by an operator';
    const { task } = await store.denyTask(actorOf(token), req.params.id, reason);
    return { task: taskView(task) };
  });
}
