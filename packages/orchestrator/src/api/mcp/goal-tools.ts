import { Type } from 'typebox';
import { approveTask, cancelGoal, getGoal, getTask, listTasks, submitGoal } from '../../app/index.ts';
import { goalRequest } from '../routes/goals.ts';
import { CancelBody, DecomposeBody, TasksQuery } from '../schemas.ts';
import { eventView, feasibilityView, goalView, taskView } from '../views.ts';
import { MAX_WAIT_MS, waitForGoal } from './goal-wait.ts';
import { defineTool } from './tool.ts';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const strict = { additionalProperties: false } as const;
const GoalId = Type.Object({ goal_id: Id }, strict);
const TaskId = Type.Object({ subtask_uuid: Id }, strict);

/** decompose_goal takes seed 002's fields; submit_goal the whole REST body (DAG, policy) and a wait. */
const DecomposeGoalInput = Type.Object(
  {
    goal: DecomposeBody.properties.goal,
    context: DecomposeBody.properties.context,
    priority: DecomposeBody.properties.priority,
    template: DecomposeBody.properties.template,
  },
  strict,
);
const SubmitGoalInput = Type.Object(
  {
    ...DecomposeBody.properties,
    wait_ms: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_WAIT_MS,
        description: `wait up to this long for the goal to finish (≤ ${MAX_WAIT_MS}), with progress notifications`,
      }),
    ),
  },
  strict,
);

export const decomposeGoalTool = defineTool({
  name: 'decompose_goal',
  title: 'Decompose a goal',
  description:
    'Plans a goal into a DAG of tasks by the template library (or a named template) and submits it. Returns the goal, its tasks and whether the fleet has the skills they need.',
  action: 'goal.submit',
  input: DecomposeGoalInput,
  async run({ deps, actor, input }) {
    const { goal, tasks, feasibility } = await submitGoal(deps, actor, goalRequest(input));
    return {
      summary: `goal ${goal.id} submitted as ${tasks.length} tasks (template ${goal.template ?? 'none'})`,
      data: {
        goal_id: goal.id,
        goal: goalView(goal),
        subtasks: tasks.map(taskView),
        feasibility: feasibilityView(feasibility),
      },
    };
  },
});

export const submitGoalTool = defineTool({
  name: 'submit_goal',
  title: 'Submit a goal',
  description:
    'Submits a goal: decomposed by a template, or an explicit DAG in `tasks`. Answers with the goal id at once, or with `wait_ms` after the goal finished (or the wait ran out), sending progress notifications as its tasks settle.',
  action: 'goal.submit',
  input: SubmitGoalInput,
  async run({ deps, actor, input, progress, signal }) {
    const { wait_ms: waitMs = 0, ...body } = input;
    const submitted = await submitGoal(deps, actor, goalRequest(body));
    const feasibility = feasibilityView(submitted.feasibility);
    const id = submitted.goal.id;
    if (waitMs === 0) {
      return {
        summary: `goal ${id} submitted (${submitted.tasks.length} tasks); read it with get_goal`,
        data: { goal_id: id, goal: goalView(submitted.goal), finished: false, feasibility },
      };
    }
    const { goal, tasks, finished } = await waitForGoal(deps, id, waitMs, progress, signal);
    return {
      summary: finished
        ? `goal ${id} ${goal.state}: ${goal.succeededCount} of ${goal.taskCount} tasks succeeded`
        : `goal ${id} still ${goal.state} after ${waitMs} ms; read it with get_goal`,
      data: { goal_id: id, goal: goalView(goal), tasks: tasks.map(taskView), finished, feasibility },
    };
  },
});

export const getGoalTool = defineTool({
  name: 'get_goal',
  title: 'Read a goal',
  description: 'A goal with its tasks: states, results, errors and why each waiting task waits.',
  action: 'read',
  input: GoalId,
  async run({ deps, input }) {
    const { goal, tasks } = await getGoal(deps, input.goal_id);
    return {
      summary: `goal ${goal.id} is ${goal.state}: ${goal.succeededCount} of ${goal.taskCount} tasks succeeded`,
      data: { goal: goalView(goal), tasks: tasks.map(taskView) },
    };
  },
});

export const listTasksTool = defineTool({
  name: 'list_tasks',
  title: 'List tasks',
  description:
    'Tasks in creation order, filtered by goal, state or agent, a page at a time (`next` is the cursor for `after`).',
  action: 'read',
  input: TasksQuery,
  async run({ deps, input }) {
    const page = await listTasks(deps, {
      goalId: input.goal_id,
      agentId: input.agent_id,
      state: input.state,
      limit: input.limit ?? 50,
      after: input.after,
    });
    return {
      summary: `${page.items.length} tasks${page.next === null ? '' : ` (more after ${page.next})`}`,
      data: { tasks: page.items.map(taskView), next: page.next },
    };
  },
});

export const cancelGoalTool = defineTool({
  name: 'cancel_goal',
  title: 'Cancel a goal',
  description:
    'Cancels a running goal: its unfinished tasks are cancelled and the agents running them told to stop.',
  action: 'goal.cancel',
  input: Type.Object({ goal_id: Id, reason: CancelBody.properties.reason }, strict),
  hints: { destructive: true },
  async run({ deps, actor, input }) {
    const { goal } = await cancelGoal(deps, actor, { goalId: input.goal_id, reason: input.reason });
    return { summary: `goal ${goal.id} is ${goal.state}`, data: { goal: goalView(goal) } };
  },
});

export const approveTaskTool = defineTool({
  name: 'approve_task',
  title: 'Approve a task',
  description: 'An operator approves a task awaiting approval: it becomes ready and runs.',
  action: 'task.approve',
  input: Type.Object({ subtask_uuid: Id, reason: CancelBody.properties.reason }, strict),
  async run({ deps, actor, input }) {
    const task = await approveTask(deps, actor, { taskId: input.subtask_uuid, reason: input.reason });
    return { summary: `task ${task.name} (${task.id}) is ${task.state}`, data: { task: taskView(task) } };
  },
});

export const explainAssignmentTool = defineTool({
  name: 'explain_assignment',
  title: 'Explain an assignment',
  description:
    "Why a task went to its agent: each lease's score, its parts (skill tier, free slots, trust, history, rotation), the explanation and the other candidates, from the task's `task.assigned` events.",
  action: 'read',
  input: TaskId,
  async run({ deps, input }) {
    const { task, history } = await getTask(deps, input.subtask_uuid);
    const assignments = history.filter((e) => e.kind === 'task.assigned').map(eventView);
    return {
      summary:
        assignments.length === 0
          ? `task ${task.name} (${task.id}) was never assigned; it is ${task.state}`
          : `task ${task.name} (${task.id}) was assigned ${assignments.length} time(s); now ${task.state} on ${task.agentId ?? 'no agent'}`,
      data: { task_id: task.id, state: task.state, agent_id: task.agentId, assignments },
    };
  },
});
