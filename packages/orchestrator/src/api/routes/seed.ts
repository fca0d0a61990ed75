import { KosError } from '@kos/protocol';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { decompose, feasibility, planFromTasks, type Plan } from '../../planner/index.ts';
import { checkedOverrides } from '../../planner/policy-spec.ts';
import { actingAgent, actorOf } from '../auth.ts';
import { goalPolicyOf } from '../goal-policy.ts';
import type { ApiDeps } from '../deps.ts';
import { AgentIdBody, CompleteBody, DecomposeBody, FailBody, RegisterBody } from '../schemas.ts';
import { lowerCasePriorities, seedSubtask } from '../compat.ts';
import { agentView, goalView, iso, leaseView, taskView } from '../views.ts';
import { buildStatus } from './status.ts';
import { tensorRoute } from './tensor.ts';

function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v ?? null));
}

function limit(what: string, value: number, max: number): void {
  if (value > max) {
    throw new KosError('KOS_ERR_LIMIT_EXCEEDED', `${what} is ${value}, more than the limit of ${max}`, {
      limit: what,
      value,
      max,
    });
  }
}

/** The routes of seed 002, at its paths and with its bodies (extensions documented in docs/api.md). */
export function seedRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { store, config, auth } = deps;

  r.post('/orchestration/register', { schema: { body: RegisterBody, tags: ['seed'] } }, async (req) => {
    const token = await auth.require(req, 'agent.register');
    const b = req.body;
    limit('skills per agent', b.skills.length, config.limits.maxSkillsPerEntity);
    if (token.role === 'agent' && token.agentName !== null && token.agentName !== b.context_id) {
      throw new KosError(
        'KOS_ERR_AGENT_MISMATCH',
        `this agent token is bound to ${token.agentName}, not ${b.context_id}`,
        {
          context_id: b.context_id,
        },
      );
    }
    const { agent } = await store.registerAgent(actorOf(token), {
      name: b.context_id,
      skills: b.skills,
      maxParallel: b.max_parallel,
      bindTokenHash: token.role === 'agent' ? token.hash : undefined,
    });
    if (token.role === 'agent') auth.forget(token.hash);
    const active = (await store.read((tx) => tx.countLeasesByAgent())).get(agent.id) ?? 0;
    return {
      agent_id: agent.id,
      skills: agent.skills,
      agent: agentView(agent, active, store.now(), deps.config),
    };
  });

  r.post(
    '/orchestration/decompose',
    // Before validation: the reference client's upper-case priorities become ours.
    {
      schema: { body: DecomposeBody, tags: ['seed'] },
      preValidation: async (req) => lowerCasePriorities(req.body),
    },
    async (req, reply) => {
      const token = await auth.require(req, 'goal.submit');
      const b = req.body;
      limit('goal length (characters)', b.goal.length, config.limits.maxGoalChars);
      const context = b.context ?? '';
      const plan: Plan = b.tasks
        ? planFromTasks(
            b.tasks.map((t) => ({
              name: t.name,
              skills: t.skills,
              priority: t.priority ?? b.priority ?? 'medium',
              estimatedDurationMs: t.estimated_duration_ms ?? 60_000,
              dependsOn: t.depends_on ?? [],
              input: t.input ?? null,
              ...(t.policy === undefined ? {} : { policy: checkedOverrides(t.policy, t.name) }),
            })),
            config.limits,
          )
        : decompose(deps.templates, b.goal, context, config.limits, { template: b.template });
      if (b.priority && !b.tasks) for (const t of plan.tasks) t.priority = b.priority;
      const skills = await store.read(async (tx) => {
        const agents = await tx.listAgents(['active', 'draining', 'lost', 'quarantined']);
        return new Set(agents.flatMap((a) => a.skills));
      });
      const { goal, tasks } = await store.submitGoal(actorOf(token), {
        goal: b.goal,
        context: typeof context === 'string' ? context : JSON.stringify(context),
        priority: b.priority ?? 'medium',
        plan,
        policy: goalPolicyOf(b.policy, config),
      });
      deps.metrics.goalSubmitted();
      // Judged on the stored tasks (their resolved policy): the skills a round would match them on.
      const f = feasibility(tasks, skills);
      reply.code(201);
      return {
        goal_id: goal.id,
        goal: goalView(goal),
        subtasks: tasks.map((t) => ({ ...taskView(t), ...seedSubtask(t, goal.goal) })),
        count: tasks.length,
        feasibility: {
          feasible: f.feasible,
          missing_skills: f.missingSkills.map((m) => ({ skill: m.skill, tasks: m.tasks })),
        },
      };
    },
  );

  r.post('/orchestration/assign', { schema: { tags: ['seed'] } }, async (req) => {
    const token = await auth.require(req, 'scheduler.assign');
    const leases = await deps.assignNow(actorOf(token));
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

  r.get('/orchestration/status', { schema: { tags: ['seed'] } }, async (req) => {
    await auth.require(req, 'read');
    return buildStatus(deps);
  });

  tensorRoute(app, deps);

  r.post('/orchestration/complete', { schema: { body: CompleteBody, tags: ['seed'] } }, async (req) => {
    const token = await auth.require(req, 'task.complete');
    const b = req.body;
    limit('result size (bytes)', jsonBytes(b.result), config.limits.maxResultBytes);
    const agentId = await holderFor(deps, token, b.agent_id, b.subtask_uuid);
    const task = await store.completeTask(actorOf(token), {
      taskId: b.subtask_uuid,
      agentId,
      epoch: b.epoch,
      result: b.result ?? null,
    });
    return { message: `task ${task.name} completed`, task: taskView(task) };
  });

  r.post('/orchestration/fail', { schema: { body: FailBody, tags: ['extensions'] } }, async (req) => {
    const token = await auth.require(req, 'task.fail');
    const b = req.body;
    const agentId = await holderFor(deps, token, b.agent_id, b.subtask_uuid);
    const { task } = await store.failTask(actorOf(token), {
      taskId: b.subtask_uuid,
      agentId,
      epoch: b.epoch,
      error: {
        code: b.error.code ?? 'agent_error',
        message: b.error.message,
        retryable: b.error.retryable ?? true,
      },
    });
    return { task: taskView(task) };
  });

  r.post('/orchestration/heartbeat', { schema: { body: AgentIdBody, tags: ['seed'] } }, async (req) => {
    const token = await auth.require(req, 'agent.heartbeat');
    const agent = await actingAgent(store, token, req.body.agent_id);
    const { agent: a, leases } = await store.heartbeat(actorOf(token), {
      agentId: agent?.id ?? req.body.agent_id,
    });
    return {
      message: `heartbeat of agent ${a.name} recorded`,
      agent_id: a.id,
      state: a.state,
      leases: leases.map((l) => leaseView(l, a.skills)),
    };
  });

  r.post('/orchestration/unregister', { schema: { body: AgentIdBody, tags: ['seed'] } }, async (req) => {
    const token = await auth.require(req, 'agent.unregister');
    const agent = await actingAgent(store, token, req.body.agent_id);
    const { agent: a, revoked } = await store.unregisterAgent(actorOf(token), {
      agentId: agent?.id ?? req.body.agent_id,
    });
    return {
      message: `agent ${a.name} unregistered`,
      agent_id: a.id,
      state: a.state,
      revoked: revoked.map((t) => t.id),
    };
  });
}

/**
 * The agent a complete/fail acts as: the token's agent, the named agent, or — for an admin that
 * names none — the task's current holder (the admin acts on its behalf; the epoch still fences).
 */
async function holderFor(
  deps: ApiDeps,
  token: Parameters<typeof actingAgent>[1],
  agentId: string | undefined,
  taskId: string,
): Promise<string> {
  const agent = await actingAgent(deps.store, token, agentId);
  if (agent) return agent.id;
  const task = await deps.store.read((tx) => tx.getTask(taskId));
  if (!task)
    throw new KosError('KOS_ERR_TASK_NOT_FOUND', `no task has id ${taskId}`, { subtask_uuid: taskId });
  return task.agentId ?? '';
}
