import { Role, TaskState, type Artifact, type Message, type Part, type Task } from '@a2a-js/sdk';
import type { Task as KosTask } from '../../scheduler/task.ts';
import type { GoalSnapshot } from './goal-follow.ts';
import { a2aStateOf, isFinalA2aState } from './state-map.ts';

export const textPart = (text: string): Part => ({
  content: { $case: 'text', value: text },
  metadata: undefined,
  filename: '',
  mediaType: 'text/plain',
});

export const dataPart = (value: unknown): Part => ({
  content: { $case: 'data', value },
  metadata: undefined,
  filename: '',
  mediaType: 'application/json',
});

/** A message from kOS (role agent) about an A2A task. */
export function agentMessage(taskId: string, contextId: string, parts: Part[], messageId: string): Message {
  return {
    messageId,
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

const settled = (s: GoalSnapshot): number => s.goal.succeededCount + s.goal.deadCount + s.goal.skippedCount;

/** What the status says in words and data: progress, and which tasks await approval (to answer). */
function statusParts(s: GoalSnapshot, state: TaskState): Part[] {
  const { goal, tasks } = s;
  if (state === TaskState.TASK_STATE_INPUT_REQUIRED) {
    const waiting = tasks.filter((t) => t.state === 'awaiting_approval');
    return [
      textPart(
        `${waiting.map((t) => t.name).join(', ')} await(s) approval: send a message on this task with a data part {"approve": true} or {"deny": true} (and "subtask_uuid" when several wait)`,
      ),
      dataPart({ awaiting_approval: waiting.map((t) => ({ subtask_uuid: t.id, name: t.name })) }),
    ];
  }
  return [
    textPart(
      `goal ${goal.state}: ${settled(s)} of ${goal.taskCount} tasks settled (${goal.succeededCount} succeeded)`,
    ),
  ];
}

/** The goal's results: each task's result by name, and the errors of those that died. */
export function resultArtifact(s: GoalSnapshot): Artifact {
  const results: Record<string, unknown> = {};
  const errors: Record<string, unknown> = {};
  for (const t of s.tasks) {
    if (t.state === 'succeeded') results[t.name] = t.result;
    if (t.state === 'dead' && t.error !== null) errors[t.name] = t.error;
  }
  return {
    artifactId: `${s.goal.id}:results`,
    name: 'results',
    description: `the results of goal ${s.goal.id} (${s.goal.state})`,
    parts: [dataPart({ goal_id: s.goal.id, state: s.goal.state, results, errors })],
    metadata: undefined,
    extensions: [],
  };
}

/** A task of the goal, as the A2A task's metadata lists it. */
const taskLine = (t: KosTask) => ({ subtask_uuid: t.id, name: t.name, state: t.state, agent_id: t.agentId });

/**
 * The A2A task of a goal: its id is the goal's, its state a2aStateOf's; once final, its artifact
 * is the goal's results. The kOS view rides in `metadata.kos` for clients that want it.
 */
export function a2aTask(s: GoalSnapshot, contextId: string): Task {
  const state = a2aStateOf(s.goal, s.tasks);
  return {
    id: s.goal.id,
    contextId,
    status: {
      state,
      message: agentMessage(
        s.goal.id,
        contextId,
        statusParts(s, state),
        `${s.goal.id}:status:${s.goal.updatedAt}`,
      ),
      timestamp: new Date(s.goal.updatedAt).toISOString(),
    },
    artifacts: isFinalA2aState(state) ? [resultArtifact(s)] : [],
    history: [],
    metadata: {
      kos: {
        goal_state: s.goal.state,
        template: s.goal.template,
        task_count: s.goal.taskCount,
        settled: settled(s),
        tasks: s.tasks.map(taskLine),
      },
    },
  };
}

/** What a stream compares to decide whether to send a status update: state and progress. */
export const progressKey = (s: GoalSnapshot): string =>
  `${a2aStateOf(s.goal, s.tasks)}:${s.tasks.map((t) => t.state).join(',')}`;
