import { KosError, PRIORITIES } from '@kos/protocol';
import { Type } from 'typebox';
import {
  assignNow,
  completeTask,
  fleetStatus,
  heartbeat,
  readTensor,
  registerAgent,
} from '../../app/index.ts';
import { statusView } from '../status-view.ts';
import { CompleteBody, RegisterBody, TensorQuery } from '../schemas.ts';
import { agentView, iso, leaseView, taskView, tensorExplanations } from '../views.ts';
import { defineTool } from './tool.ts';

const strict = { additionalProperties: false } as const;

/**
 * Seed 002's agent tool methods (register_agent, assign_tasks, get_status, get_task_tensor,
 * mark_completed, update_heartbeat), each over the use case its REST route calls.
 */
export const registerAgentTool = defineTool({
  name: 'register_agent',
  title: 'Register an agent',
  description:
    "Registers (or registers again) an agent with its skills. `context_id` is its name; an agent token's own agent when omitted.",
  action: 'agent.register',
  input: Type.Object(
    {
      context_id: Type.Optional(RegisterBody.properties.context_id),
      skills: RegisterBody.properties.skills,
      max_parallel: RegisterBody.properties.max_parallel,
    },
    strict,
  ),
  hints: { idempotent: true },
  async run({ deps, actor, token, input }) {
    const name = input.context_id ?? token.agentName;
    if (name === null) {
      throw new KosError('KOS_ERR_VALIDATION', 'name the agent: context_id is required with this token', {
        problems: ['context_id is required unless the token is bound to an agent'],
      });
    }
    const { agent, activeLeases } = await registerAgent(deps, actor, {
      name,
      skills: input.skills,
      maxParallel: input.max_parallel,
    });
    // A first registration binds an agent token to its name: read it again on its next call.
    if (token.role === 'agent') deps.auth.forget(token.hash);
    return {
      summary: `agent ${agent.name} (${agent.id}) is ${agent.state} with skills ${agent.skills.join(', ')}`,
      data: { agent_id: agent.id, agent: agentView(agent, activeLeases, deps.store.now(), deps.config) },
    };
  },
});

export const assignTasksTool = defineTool({
  name: 'assign_tasks',
  title: 'Run an assignment round',
  description:
    'Runs one assignment round now: ready tasks are leased to the best-scoring agents with free slots. Lists the leases granted with their scores.',
  action: 'scheduler.assign',
  input: Type.Object({}, strict),
  async run({ deps, actor }) {
    const leases = await assignNow(deps, actor);
    const assignments = leases.map((l) => ({
      subtask_uuid: l.task.id,
      subtask_name: l.task.name,
      agent_id: l.agentId,
      assigned_at: iso(l.task.leasedAt),
      epoch: l.task.epoch,
      lease_expires_at: leaseView(l.task).lease_expires_at,
      score: l.score.value,
      explanation: l.score.explanation,
    }));
    return { summary: `${assignments.length} tasks assigned`, data: { assignments } };
  },
});

export const getStatusTool = defineTool({
  name: 'get_status',
  title: 'Fleet status',
  description:
    'The fleet at a glance: tasks, goals and agents by state, each agent’s load, trust and breakers, ready tasks by priority and why tasks wait.',
  action: 'read',
  input: Type.Object({}, strict),
  async run({ deps }) {
    const status = statusView(await fleetStatus(deps));
    return {
      summary: `${status.status.registered_agents} active agents, ${status.status.running_subtasks} tasks running, ${status.ready_queue_depth} ready`,
      data: status,
    };
  },
});

export const getTaskTensorTool = defineTool({
  name: 'get_task_tensor',
  title: 'Task tensor',
  description:
    "T[task, agent, priority]: the scheduler's scores of each task for each agent, for a goal or every unfinished task; `explain` adds each cell's score parts.",
  action: 'read',
  input: TensorQuery,
  async run({ deps, input }) {
    const { tensor, tasks, agents } = await readTensor(deps, { goalId: input.goal_id });
    const labels = {
      shape: tensor.shape,
      tasks: tensor.taskIds,
      task_names: tasks.map((t) => t.name),
      agents: tensor.agentIds,
      agent_names: agents.map((a) => a.name),
      priority_levels: PRIORITIES,
      ...(input.explain === true ? { explanations: tensorExplanations(tensor) } : {}),
    };
    const data =
      input.format === 'sparse'
        ? { ...labels, entries: tensor.sparse().entries }
        : { ...labels, data: tensor.dense() };
    return { summary: `tensor of shape [${tensor.shape.join(', ')}]`, data };
  },
});

export const markCompletedTool = defineTool({
  name: 'mark_completed',
  title: 'Complete a task',
  description:
    "The agent holding a task's lease reports its result; `epoch` (the lease's fencing token) should be sent. The task succeeds exactly once.",
  action: 'task.complete',
  input: CompleteBody,
  async run({ deps, actor, input }) {
    const task = await completeTask(deps, actor, {
      taskId: input.subtask_uuid,
      agentId: input.agent_id,
      epoch: input.epoch,
      result: input.result,
    });
    return { summary: `task ${task.name} (${task.id}) is ${task.state}`, data: { task: taskView(task) } };
  },
});

export const updateHeartbeatTool = defineTool({
  name: 'update_heartbeat',
  title: 'Agent heartbeat',
  description:
    "The agent is alive: renews every lease it holds. `agent_id` may be omitted with an agent token (the token's agent).",
  action: 'agent.heartbeat',
  input: Type.Object({ agent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, strict),
  async run({ deps, actor, input }) {
    const { agent, leases } = await heartbeat(deps, actor, { agentId: input.agent_id });
    return {
      summary: `heartbeat of agent ${agent.name} recorded; ${leases.length} leases renewed`,
      data: {
        agent_id: agent.id,
        state: agent.state,
        leases: leases.map((l) => leaseView(l, agent.skills)),
      },
    };
  },
});
