import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  cancelGoal,
  cancelGoals,
  getGoal,
  listGoals,
  submitGoal,
  type GoalQuery,
  type GoalRequest,
} from '../../app/index.ts';
import type { GoalState } from '../../scheduler/goal.ts';
import { lowerCasePriorities, seedSubtask } from '../compat.ts';
import type { ApiDeps } from '../deps.ts';
import {
  BulkCancelBody,
  CancelBody,
  DecomposeBody,
  GoalsQuery,
  IdParams,
  noBodyIsEmpty,
} from '../schemas.ts';
import type { Static } from 'typebox';
import { feasibilityView, goalView, taskView } from '../views.ts';

const tags = ['goals'];

/** Goals: submit (seed 002's decompose), list (filtered), read with their tasks, cancel one or many. */
export function goalRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { auth } = deps;

  r.post(
    '/orchestration/decompose',
    // Before validation: the reference client's upper-case priorities become ours.
    { schema: { body: DecomposeBody, tags }, preValidation: async (req) => lowerCasePriorities(req.body) },
    async (req, reply) => {
      const actor = await auth.actor(req, 'goal.submit');
      const { goal, tasks, feasibility } = await submitGoal(deps, actor, goalRequest(req.body));
      reply.code(201);
      return {
        goal_id: goal.id,
        goal: goalView(goal),
        subtasks: tasks.map((t) => ({ ...taskView(t), ...seedSubtask(t, goal.goal) })),
        count: tasks.length,
        feasibility: feasibilityView(feasibility),
      };
    },
  );

  r.get('/orchestration/goals', { schema: { querystring: GoalsQuery, tags } }, async (req) => {
    await auth.require(req, 'read');
    const q = req.query;
    const page = await listGoals(deps, { ...goalQuery(q), limit: q.limit ?? 50, after: q.after });
    return { goals: page.items.map(goalView), next: page.next };
  });

  r.get('/orchestration/goals/:id', { schema: { params: IdParams, tags } }, async (req) => {
    await auth.require(req, 'read');
    const { goal, tasks } = await getGoal(deps, req.params.id);
    return { goal: goalView(goal), tasks: tasks.map(taskView) };
  });

  r.post(
    '/orchestration/goals/:id/cancel',
    { schema: { params: IdParams, body: CancelBody, tags }, preValidation: noBodyIsEmpty },
    async (req) => {
      const actor = await auth.actor(req, 'goal.cancel');
      const { goal } = await cancelGoal(deps, actor, { goalId: req.params.id, reason: req.body?.reason });
      return { goal: goalView(goal) };
    },
  );
  r.post(
    '/orchestration/goals/cancel',
    { schema: { body: BulkCancelBody, tags }, preValidation: noBodyIsEmpty },
    async (req) => {
      const actor = await auth.actor(req, 'goal.cancel');
      const b = req.body;
      const done = await cancelGoals(deps, actor, {
        ...goalQuery(b),
        reason: b.reason,
        limit: b.limit ?? 100,
      });
      return { cancelled: done.cancelled, matched: done.matched, remaining: done.remaining };
    },
  );
}

/** The wire filters (`state` comma-separated, `q`) as the use case's query. */
function goalQuery(f: {
  state?: string | undefined;
  template?: string | undefined;
  q?: string | undefined;
}): GoalQuery {
  return {
    states: f.state === undefined ? undefined : ([...new Set(f.state.split(','))] as GoalState[]),
    template: f.template,
    text: f.q,
  };
}

/** The wire body (docs/api.md) as the use case's input. */
export function goalRequest(b: Static<typeof DecomposeBody>): GoalRequest {
  return {
    goal: b.goal,
    context: b.context,
    priority: b.priority,
    template: b.template,
    planner: b.planner,
    tasks: b.tasks?.map((t) => ({
      name: t.name,
      skills: t.skills,
      priority: t.priority,
      estimatedDurationMs: t.estimated_duration_ms,
      dependsOn: t.depends_on,
      input: t.input,
      policy: t.policy,
    })),
    policy: b.policy && {
      onTaskDeath: b.policy.on_task_death,
      maxParallelTasks: b.policy.max_parallel_tasks,
      weight: b.policy.weight,
    },
  };
}
