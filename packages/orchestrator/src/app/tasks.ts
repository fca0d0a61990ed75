import { KosError } from '@kos/protocol';
import { type Task, type TaskError, type TaskState } from '../scheduler/task.ts';
import type { EventRecord } from '../store/records.ts';
import type { Receipt } from '@kos/protocol';
import { actingAgent } from './acting-agent.ts';
import { actorId, type Actor, type Core } from './core.ts';
import { assertWithin, jsonBytes } from './limits.ts';
import { pageOf, type Paged, type PageRequest } from './paging.ts';

/** A lease holder's report on its task; `agentId` names the agent only for an admin's report. */
export interface TaskReport {
  taskId: string;
  epoch?: number | undefined;
  agentId?: string | undefined;
  /** The KLP receipt of the frame that carried it (a KLP session's reports only). */
  receipt?: Receipt | undefined;
}

async function holder(core: Core, actor: Actor, r: TaskReport) {
  const caller = await actingAgent(core.store, actor, { agentId: r.agentId, taskId: r.taskId });
  return {
    ...caller,
    taskId: r.taskId,
    epoch: r.epoch,
    ...(r.receipt === undefined ? {} : { receipt: { ...r.receipt } }),
  };
}

/** The holder reports success: the task succeeds exactly once (the epoch fences). */
export async function completeTask(
  core: Core,
  actor: Actor,
  r: TaskReport & { result: unknown },
): Promise<Task> {
  assertWithin('result size (bytes)', jsonBytes(r.result), core.config.limits.maxResultBytes);
  const task = await core.store.completeTask(actorId(actor), {
    ...(await holder(core, actor, r)),
    result: r.result ?? null,
  });
  return task;
}

/** The holder reports failure: retried, held for approval or dead, as the task's policy says. */
export async function failTask(
  core: Core,
  actor: Actor,
  r: TaskReport & { error: { message: string; code?: string | undefined; retryable?: boolean | undefined } },
): Promise<Task> {
  const error: TaskError = {
    code: r.error.code ?? 'agent_error',
    message: r.error.message,
    retryable: r.error.retryable ?? true,
  };
  const { task } = await core.store.failTask(actorId(actor), {
    ...(await holder(core, actor, r)),
    error,
  });
  return task;
}

/** The holder declines its task, or delegates it to another agent (`to`: a name or an id). */
export async function handOffTask(
  core: Core,
  actor: Actor,
  r: TaskReport & { action: 'declined' | 'delegated'; reason: string; to?: string | undefined },
): Promise<Task> {
  const { task } = await core.store.handOff(actorId(actor), {
    ...(await holder(core, actor, r)),
    action: r.action,
    reason: r.reason,
    to: r.to,
  });
  return task;
}

/** The holder gives its task back (or, for a task being cancelled, says it stopped). */
export async function returnTask(core: Core, actor: Actor, r: TaskReport): Promise<void> {
  await core.store.returnTask(actorId(actor), await holder(core, actor, r));
}

/** The holder's progress (0–100) and checkpoint: marks the task running and renews its lease. */
export async function reportProgress(
  core: Core,
  actor: Actor,
  r: TaskReport & { progress: number; checkpoint?: unknown },
): Promise<void> {
  await core.store.reportProgress(actorId(actor), {
    ...(await holder(core, actor, r)),
    progress: r.progress,
    ...(r.checkpoint === undefined ? {} : { checkpoint: r.checkpoint }),
  });
}

export interface OperatorAction {
  taskId: string;
  reason?: string | undefined;
}

/** Cancels one task; a leased one is `cancelling` until its holder stops, its dependents are skipped. */
export async function cancelTask(core: Core, actor: Actor, r: OperatorAction): Promise<Task> {
  const { task } = await core.store.cancelTask(actorId(actor), r.taskId, r.reason ?? 'cancelled by a user');
  return task;
}

/** A dead task is ready again with more attempts; its goal and skipped tasks reopen. */
export async function retryTask(core: Core, actor: Actor, r: OperatorAction): Promise<Task> {
  const task = await core.store.retryTask(actorId(actor), r.taskId, r.reason ?? 'retried by an operator');
  return task;
}

/** A task awaiting approval is ready. */
export async function approveTask(core: Core, actor: Actor, r: OperatorAction): Promise<Task> {
  const task = await core.store.approveTask(actorId(actor), r.taskId, r.reason ?? 'approved by an operator');
  return task;
}

/** A task awaiting approval dies; its goal's policy decides what happens to the rest. */
export async function denyTask(core: Core, actor: Actor, r: OperatorAction): Promise<Task> {
  const { task } = await core.store.denyTask(actorId(actor), r.taskId, r.reason ?? 'denied by an operator');
  return task;
}

/** A task with its history (its events, oldest first, at most 1,000). */
export async function getTask(core: Core, taskId: string): Promise<{ task: Task; history: EventRecord[] }> {
  const { task, history } = await core.store.read(async (tx) => ({
    task: await tx.getTask(taskId),
    history: await tx.listEvents({ taskId, limit: 1000 }),
  }));
  if (!task)
    throw new KosError('KOS_ERR_TASK_NOT_FOUND', `no task has id ${taskId}`, { subtask_uuid: taskId });
  return { task, history };
}

/** Tasks in creation order, a page at a time. */
export async function listTasks(
  core: Core,
  req: PageRequest & {
    goalId?: string | undefined;
    agentId?: string | undefined;
    state?: TaskState | undefined;
  },
): Promise<Paged<Task>> {
  const tasks = await core.store.read((tx) =>
    tx.listTasks(
      { goalId: req.goalId, agentId: req.agentId, states: req.state ? [req.state] : undefined },
      { limit: req.limit + 1, after: req.after },
    ),
  );
  return pageOf(tasks, req.limit, (t) => t.id);
}
