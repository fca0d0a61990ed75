import { PRIORITIES } from '@kos/protocol';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { assignNow, fleetStatus, readKpis, readTensor } from '../../app/index.ts';
import type { ApiDeps } from '../deps.ts';
import { KpisQuery, TensorQuery } from '../schemas.ts';
import { statusView } from '../status-view.ts';
import { iso, kpisView, leaseView, tensorExplanations } from '../views.ts';

const tags = ['scheduler'];

/** The scheduler: run a round now (seed 002's assign), the fleet's status and KPIs, the task tensor. */
export function schedulerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { auth } = deps;

  r.post('/orchestration/assign', { schema: { tags } }, async (req) => {
    const leases = await assignNow(deps, await auth.actor(req, 'scheduler.assign'));
    return {
      assignments: leases.map((l) => ({
        subtask_uuid: l.task.id,
        subtask_name: l.task.name,
        agent_id: l.agentId,
        assigned_at: iso(l.task.leasedAt),
        epoch: l.task.epoch,
        lease_expires_at: leaseView(l.task).lease_expires_at,
        score: l.score.value,
        explanation: l.score.explanation,
      })),
      count: leases.length,
    };
  });

  r.get('/orchestration/status', { schema: { tags } }, async (req) => {
    await auth.require(req, 'read');
    return statusView(await fleetStatus(deps));
  });

  r.get('/orchestration/kpis', { schema: { querystring: KpisQuery, tags } }, async (req) => {
    await auth.require(req, 'read');
    return kpisView(await readKpis(deps, { windowMs: req.query.window_ms, bucketMs: req.query.bucket_ms }));
  });

  // T[n_tasks, n_agents, 4]: rows are the goal's tasks (with goal_id) or every unfinished task.
  r.get('/orchestration/tensor', { schema: { querystring: TensorQuery, tags } }, async (req) => {
    await auth.require(req, 'read');
    const { goal_id: goalId, format = 'dense', explain = false } = req.query;
    const { tensor, tasks, agents } = await readTensor(deps, { goalId });
    const labels = {
      shape: tensor.shape,
      tensor_shape: tensor.shape,
      tasks: tensor.taskIds,
      task_names: tasks.map((t) => t.name),
      agents: tensor.agentIds,
      agent_names: agents.map((a) => a.name),
      priority_levels: PRIORITIES,
      ...(explain ? { explanations: tensorExplanations(tensor) } : {}),
    };
    if (format === 'sparse') return { ...labels, entries: tensor.sparse().entries };
    // The dense form, also as `tensor_data` for the reference client (docs/api.md, "Compatibility").
    const data = tensor.dense();
    return { ...labels, data, tensor_data: data };
  });
}
