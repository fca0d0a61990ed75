import { KosError } from '@kos/protocol';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf } from '../auth.ts';
import { LEASED_TASK_STATES } from '../../scheduler/task.ts';
import type { ApiDeps } from '../deps.ts';
import { AgentsQuery, CancelBody, EventsQuery, GoalsQuery, IdParams, TasksQuery } from '../schemas.ts';
import { agentView, eventView, goalView, leaseView, taskView } from '../views.ts';

const ALL = Number.MAX_SAFE_INTEGER;

/** Reading goals, tasks (with history), agents and the event log; cancelling a goal. */
export function readRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { store, auth } = deps;

  r.get('/orchestration/goals', { schema: { querystring: GoalsQuery, tags: ['goals'] } }, async (req) => {
    await auth.require(req, 'read');
    const limit = req.query.limit ?? 50;
    const goals = await store.read((tx) =>
      tx.listGoals(
        { states: req.query.state ? [req.query.state] : undefined },
        { limit: limit + 1, after: req.query.after },
      ),
    );
    const page = goals.slice(0, limit);
    return { goals: page.map(goalView), next: goals.length > limit ? (page.at(-1)?.id ?? null) : null };
  });

  r.get('/orchestration/goals/:id', { schema: { params: IdParams, tags: ['goals'] } }, async (req) => {
    await auth.require(req, 'read');
    const { goal, tasks } = await store.read(async (tx) => ({
      goal: await tx.getGoal(req.params.id),
      tasks: await tx.listTasks({ goalId: req.params.id }, { limit: ALL }),
    }));
    if (!goal)
      throw new KosError('KOS_ERR_GOAL_NOT_FOUND', `no goal has id ${req.params.id}`, {
        goal_id: req.params.id,
      });
    return { goal: goalView(goal), tasks: tasks.map(taskView) };
  });

  r.post(
    '/orchestration/goals/:id/cancel',
    { schema: { params: IdParams, body: CancelBody, tags: ['goals'] } },
    async (req) => {
      const token = await auth.require(req, 'goal.cancel');
      const reason = req.body?.reason ?? 'cancelled by a user';
      const { goal } = await store.cancelGoal(actorOf(token), req.params.id, reason);
      return { goal: goalView(goal) };
    },
  );

  r.get('/orchestration/tasks', { schema: { querystring: TasksQuery, tags: ['tasks'] } }, async (req) => {
    await auth.require(req, 'read');
    const q = req.query;
    const limit = q.limit ?? 50;
    const tasks = await store.read((tx) =>
      tx.listTasks(
        { goalId: q.goal_id, agentId: q.agent_id, states: q.state ? [q.state] : undefined },
        { limit: limit + 1, after: q.after },
      ),
    );
    const page = tasks.slice(0, limit);
    return { tasks: page.map(taskView), next: tasks.length > limit ? (page.at(-1)?.id ?? null) : null };
  });

  r.get('/orchestration/tasks/:id', { schema: { params: IdParams, tags: ['tasks'] } }, async (req) => {
    await auth.require(req, 'read');
    const { task, history } = await store.read(async (tx) => ({
      task: await tx.getTask(req.params.id),
      history: await tx.listEvents({ taskId: req.params.id, limit: 1000 }),
    }));
    if (!task)
      throw new KosError('KOS_ERR_TASK_NOT_FOUND', `no task has id ${req.params.id}`, {
        subtask_uuid: req.params.id,
      });
    return { task: taskView(task), history: history.map(eventView) };
  });

  r.get('/orchestration/agents', { schema: { querystring: AgentsQuery, tags: ['agents'] } }, async (req) => {
    await auth.require(req, 'read');
    const { agents, loads } = await store.read(async (tx) => ({
      agents: await tx.listAgents(req.query.state ? [req.query.state] : undefined),
      loads: await tx.countLeasesByAgent(),
    }));
    const now = store.now();
    return { agents: agents.map((a) => agentView(a, loads.get(a.id) ?? 0, now, deps.config)) };
  });

  r.get('/orchestration/agents/:id', { schema: { params: IdParams, tags: ['agents'] } }, async (req) => {
    await auth.require(req, 'read');
    const { agent, leases } = await store.read(async (tx) => ({
      agent: await tx.getAgent(req.params.id),
      leases: await tx.listTasks({ agentId: req.params.id, states: LEASED_TASK_STATES }, { limit: ALL }),
    }));
    if (!agent)
      throw new KosError('KOS_ERR_AGENT_NOT_FOUND', `no agent has id ${req.params.id}`, {
        agent_id: req.params.id,
      });
    return {
      agent: agentView(agent, leases.length, store.now(), deps.config),
      leases: leases.map((l) => leaseView(l, agent.skills)),
    };
  });

  r.get('/orchestration/events', { schema: { querystring: EventsQuery, tags: ['events'] } }, async (req) => {
    await auth.require(req, 'read');
    const q = req.query;
    const limit = q.limit ?? 200;
    const events = await store.read((tx) =>
      tx.listEvents({ goalId: q.goal_id, taskId: q.task_id, agentId: q.agent_id, afterSeq: q.after, limit }),
    );
    return {
      events: events.map(eventView),
      next: events.length === limit ? (events.at(-1)?.seq ?? null) : null,
    };
  });
}
