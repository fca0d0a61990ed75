import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { CancelBody, IdParams } from '../schemas.ts';
import { taskView } from '../views.ts';

/**
 * Cancelling one task (docs/cancellation-and-delegation.md). A leased task is `cancelling` until
 * its agent acknowledges or the grace deadline passes; its dependents are skipped at once. The
 * events carry the caller's token as the actor, and the reason.
 */
export function cancelRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/orchestration/tasks/:id/cancel',
    { schema: { params: IdParams, body: CancelBody, tags: ['tasks'] } },
    async (req) => {
      const token = await deps.auth.require(req, 'task.cancel');
      const reason = req.body?.reason ?? 'cancelled by a user';
      const { task } = await deps.store.cancelTask(actorOf(token), req.params.id, reason);
      return { task: taskView(task) };
    },
  );
}
