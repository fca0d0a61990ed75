import { PRIORITIES } from '@kos/protocol';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { buildTensor } from '../../scheduler/tensor.ts';
import { toRoundAgent, toRoundTask } from '../../store/verbs/assign.ts';
import { OPEN_TASK_STATES } from '../../scheduler/task.ts';
import type { ApiDeps } from '../deps.ts';
import { TensorQuery } from '../schemas.ts';

const ALL = Number.MAX_SAFE_INTEGER;

/**
 * GET /orchestration/tensor: T[n_tasks, n_agents, 4] from the scheduler's own scores. Rows are the
 * goal's tasks (with `goal_id`) or every unfinished task; columns are the registered agents.
 */
export function tensorRoute(app: FastifyInstance, deps: ApiDeps): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get('/orchestration/tensor', { schema: { querystring: TensorQuery, tags: ['seed'] } }, async (req) => {
      await deps.auth.require(req, 'read');
      const { goal_id: goalId, format = 'dense' } = req.query;
      const { tasks, agents, loads } = await deps.store.read(async (tx) => ({
        tasks: await tx.listTasks(goalId ? { goalId } : { states: OPEN_TASK_STATES }, { limit: ALL }),
        agents: await tx.listAgents(['active', 'draining', 'lost', 'quarantined']),
        loads: await tx.countLeasesByAgent(),
      }));
      // Scored on the skills a round would match them on (fallback skills included), as rounds do.
      const covered = new Set(agents.filter((a) => a.state === 'active').flatMap((a) => a.skills));
      const tensor = buildTensor({
        tasks: tasks.map((t) => ({ ...toRoundTask(t, covered), state: t.state, agentId: t.agentId })),
        agents: agents.map((a) => toRoundAgent(a, loads.get(a.id) ?? 0, deps.store.now(), deps.config)),
        policy: deps.config,
      });
      const labels = {
        shape: tensor.shape,
        tensor_shape: tensor.shape,
        tasks: tensor.taskIds,
        task_names: tasks.map((t) => t.name),
        agents: tensor.agentIds,
        agent_names: agents.map((a) => a.name),
        priority_levels: PRIORITIES,
      };
      return format === 'sparse'
        ? { ...labels, entries: tensor.sparse().entries }
        : denseView(labels, tensor.dense());
    });
}

/** The dense form, also as `tensor_data` for the reference client (docs/api.md, "Compatibility"). */
function denseView<T extends object>(labels: T, data: number[][][]) {
  return { ...labels, data, tensor_data: data };
}
