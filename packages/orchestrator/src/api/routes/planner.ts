import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { listTemplates, previewGoal } from '../../app/index.ts';
import type { WorkflowTemplate } from '../../planner/index.ts';
import { lowerCasePriorities } from '../compat.ts';
import type { ApiDeps } from '../deps.ts';
import { DecomposeBody } from '../schemas.ts';
import { feasibilityView, taskView } from '../views.ts';
import { goalRequest } from './goals.ts';

const tags = ['planner'];

/** The planner: its template library, and the plan a goal would get, with nothing stored. */
export function plannerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { auth } = deps;

  r.get('/orchestration/templates', { schema: { tags } }, async (req) => {
    await auth.require(req, 'read');
    return { templates: listTemplates(deps).map(templateView) };
  });

  // The same body and checks as POST /orchestration/decompose; the same right (it shows what a
  // submitter may submit), but nothing is stored and no event is written.
  r.post(
    '/orchestration/goals/preview',
    { schema: { body: DecomposeBody, tags }, preValidation: async (req) => lowerCasePriorities(req.body) },
    async (req) => {
      const actor = await auth.actor(req, 'goal.submit');
      const { goal, tasks, feasibility } = await previewGoal(deps, actor, goalRequest(req.body));
      return {
        template: goal.template,
        priority: goal.priority,
        subtasks: tasks.map(taskView),
        feasibility: feasibilityView(feasibility),
      };
    },
  );
}

function templateView(t: WorkflowTemplate) {
  return {
    name: t.name,
    description: t.description,
    keywords: t.match.kind === 'words' ? t.match.words : [],
    match: t.match.kind,
    tasks: t.tasks.map((task) => ({
      name: task.name,
      skills: task.skills,
      priority: task.priority,
      depends_on: task.dependsOn,
    })),
  };
}
