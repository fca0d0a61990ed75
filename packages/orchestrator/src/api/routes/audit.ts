import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listEvents, receiptLog, taskReceipt } from '../../app/index.ts';
import type { ApiDeps } from '../deps.ts';
import { EventsQuery, IdParams } from '../schemas.ts';
import { eventView } from '../views.ts';

const ReceiptsQuery = Type.Object(
  {
    goal_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    agent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

/**
 * The event log, the receipt log of results that `kos audit verify` checks offline, and one
 * task's verdict checked here.
 */
export function auditRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['audit'];

  r.get('/orchestration/events', { schema: { querystring: EventsQuery, tags } }, async (req) => {
    await deps.auth.require(req, 'read');
    const q = req.query;
    const { events, next } = await listEvents(deps, {
      goalId: q.goal_id,
      taskId: q.task_id,
      agentId: q.agent_id,
      afterSeq: q.after,
      limit: q.limit ?? 200,
    });
    return { events: events.map(eventView), next };
  });

  r.get('/orchestration/audit/receipts', { schema: { querystring: ReceiptsQuery, tags } }, async (req) => {
    await deps.auth.require(req, 'read');
    return receiptLog(deps, { goalId: req.query.goal_id, agentId: req.query.agent_id });
  });

  r.get('/orchestration/tasks/:id/receipt', { schema: { params: IdParams, tags } }, async (req) => {
    await deps.auth.require(req, 'read');
    const r = await taskReceipt(deps, req.params.id);
    return { task_id: r.taskId, status: r.status, agent_id: r.agentId, key: r.key, detail: r.detail };
  });
}
