import { randomUUID } from 'node:crypto';
import type {
  AgentCard,
  CancelTaskRequest,
  DeleteTaskPushNotificationConfigRequest,
  GetTaskPushNotificationConfigRequest,
  GetTaskRequest,
  ListTaskPushNotificationConfigsRequest,
  ListTaskPushNotificationConfigsResponse,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
  TaskPushNotificationConfig,
} from '@a2a-js/sdk';
import type { A2ARequestHandler, ServerCallContext, User } from '@a2a-js/sdk/server';
import { KosError, isKosError } from '@kos/protocol';
import {
  approveTask,
  cancelGoal,
  deleteA2aPushConfig,
  denyTask,
  getA2aGoal,
  getA2aPushConfig,
  listA2aPushConfigs,
  setA2aPushConfig,
  submitGoal,
  tokenActor,
  type Actor,
} from '../../app/index.ts';
import { requirePermission, type Action } from '../../security/index.ts';
import type { A2aPushConfig, TokenRecord } from '../../store/records.ts';
import type { ApiDeps } from '../deps.ts';
import { followGoal, type GoalSnapshot } from './goal-follow.ts';
import { approvalOf, goalRequestOf } from './message-input.ts';
import { endsWait, isFinalA2aState } from './state-map.ts';
import { a2aTask, progressKey, resultArtifact } from './task-view.ts';

/** The longest a blocking `SendMessage` waits for its goal before answering with where it is. */
export const MAX_BLOCKING_MS = 60_000;
/** Where the route finds the kOS refusal behind a JSON-RPC error (ServerCallContext.state). */
export const KOS_ERROR = 'kos.error';
/** Where the route puts an AbortSignal that fires when the client disconnects or the server stops. */
export const CALL_ENDED = 'kos.call-ended';

/** Who calls, as the route authenticated them: the SDK hands it back on every call. */
export class A2aCaller implements User {
  constructor(readonly token: TokenRecord) {}
  get isAuthenticated(): boolean {
    return true;
  }
  get userName(): string {
    return `token:${this.token.id}`;
  }
}

export interface A2aEnv {
  deps: ApiDeps;
  card(): Promise<AgentCard>;
  log: { error(obj: object, msg: string): void };
}

/**
 * kOS's A2A request handler, behind the SDK's JSON-RPC transport. It does not use the SDK's
 * DefaultRequestHandler: that one ties a task to an executor running in this process and keeps
 * tasks in a TaskStore, while a kOS goal runs on its own (agents, leases, other replicas) and
 * survives restarts. So every answer is read from the goal in the store: the A2A task *is* the
 * goal (same id), its state the mapping of state-map.ts, streams follow the committed events.
 * Each method checks the caller's role as the REST route of the same use case does.
 */
export class KosA2aHandler implements A2ARequestHandler {
  constructor(private readonly env: A2aEnv) {}

  getAgentCard(): Promise<AgentCard> {
    return this.env.card();
  }

  getAuthenticatedExtendedAgentCard(_params: unknown, ctx: ServerCallContext): Promise<AgentCard> {
    return this.guard(ctx, () =>
      Promise.reject(unsupported('there is no extended agent card; the public one is complete')),
    );
  }

  sendMessage(params: SendMessageRequest, ctx: ServerCallContext): Promise<Message | Task> {
    return this.guard(ctx, async () => {
      const { goalId, contextId, submitted } = await this.accept(params, ctx);
      if (params.configuration?.returnImmediately === true) {
        // A new goal is answered as submitted, without reading it again.
        return submitted === undefined ? this.task(goalId) : a2aTask(submitted, contextId);
      }
      const abort = untilEnded(ctx, AbortSignal.timeout(MAX_BLOCKING_MS));
      let last: GoalSnapshot | undefined;
      for await (const s of followGoal(this.env.deps, goalId, abort)) {
        last = s;
        if (endsWait(a2aTask(s, contextId).status?.state ?? 0)) break;
      }
      return last === undefined ? this.task(goalId) : a2aTask(last, contextId);
    });
  }

  async *sendMessageStream(
    params: SendMessageRequest,
    ctx: ServerCallContext,
  ): AsyncGenerator<StreamResponse> {
    const { goalId, contextId, submitted } = await this.guard(ctx, () => this.accept(params, ctx));
    yield* this.follow(goalId, contextId, ctx, submitted);
  }

  getTask(params: GetTaskRequest, ctx: ServerCallContext): Promise<Task> {
    return this.guard(ctx, async () => {
      this.caller(ctx, 'read');
      return this.task(params.id);
    });
  }

  listTasks(_params: unknown, ctx: ServerCallContext): Promise<ListTasksResponse> {
    return this.guard(ctx, () =>
      Promise.reject(unsupported('ListTasks is not offered: list goals with GET /orchestration/goals')),
    );
  }

  cancelTask(params: CancelTaskRequest, ctx: ServerCallContext): Promise<Task> {
    return this.guard(ctx, async () => {
      const actor = this.caller(ctx, 'goal.cancel');
      await getA2aGoal(this.env.deps, params.id);
      await cancelGoal(this.env.deps, actor, { goalId: params.id, reason: 'cancelled through A2A' });
      return this.task(params.id);
    });
  }

  async *resubscribe(params: SubscribeToTaskRequest, ctx: ServerCallContext): AsyncGenerator<StreamResponse> {
    const { contextId } = await this.guard(ctx, async () => {
      this.caller(ctx, 'read');
      return getA2aGoal(this.env.deps, params.id);
    });
    yield* this.follow(params.id, contextId, ctx);
  }

  createTaskPushNotificationConfig(
    params: TaskPushNotificationConfig,
    ctx: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    return this.guard(ctx, async () => {
      const actor = this.caller(ctx, 'goal.submit');
      const stored = await setA2aPushConfig(this.env.deps, actor, {
        goalId: params.taskId,
        id: params.id,
        url: params.url,
        token: params.token,
        authentication: params.authentication,
      });
      return configView(stored);
    });
  }

  getTaskPushNotificationConfig(
    params: GetTaskPushNotificationConfigRequest,
    ctx: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    return this.guard(ctx, async () => {
      // Push configs hold the client's webhook token: only who may set them may read them.
      this.caller(ctx, 'goal.submit');
      return configView(await getA2aPushConfig(this.env.deps, params.taskId, params.id));
    });
  }

  listTaskPushNotificationConfigs(
    params: ListTaskPushNotificationConfigsRequest,
    ctx: ServerCallContext,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    return this.guard(ctx, async () => {
      this.caller(ctx, 'goal.submit');
      const configs = await listA2aPushConfigs(this.env.deps, params.taskId);
      return { configs: configs.map(configView), nextPageToken: '' };
    });
  }

  deleteTaskPushNotificationConfig(
    params: DeleteTaskPushNotificationConfigRequest,
    ctx: ServerCallContext,
  ): Promise<void> {
    return this.guard(ctx, async () => {
      const actor = this.caller(ctx, 'goal.submit');
      await deleteA2aPushConfig(this.env.deps, actor, params.taskId, params.id);
    });
  }

  /**
   * A new message submits a goal (submitGoal, the REST use case); a message on an existing task
   * answers its `input-required` with an approval or a denial (approveTask/denyTask).
   */
  private async accept(params: SendMessageRequest, ctx: ServerCallContext): Promise<Accepted> {
    const message = params.message;
    if (message === undefined)
      throw new KosError('KOS_ERR_VALIDATION', 'invalid message: params.message is required', {
        problems: ['params.message is required'],
      });
    if (message.taskId !== '') return this.answer(message, ctx);
    const actor = this.caller(ctx, 'goal.submit');
    const contextId = message.contextId === '' ? randomUUID() : message.contextId;
    const { goal, tasks } = await submitGoal(this.env.deps, actor, goalRequestOf(message, contextId));
    return { goalId: goal.id, contextId, submitted: { goal, tasks } };
  }

  private async answer(
    message: Message,
    ctx: ServerCallContext,
  ): Promise<{ goalId: string; contextId: string }> {
    const { goal, tasks, contextId } = await getA2aGoal(this.env.deps, message.taskId);
    const answer = approvalOf(message);
    const actor = this.caller(ctx, 'task.approve');
    const waiting = tasks.filter((t) => t.state === 'awaiting_approval');
    const target =
      answer.subtaskId === undefined
        ? waiting.length === 1
          ? waiting[0]
          : undefined
        : waiting.find((t) => t.id === answer.subtaskId);
    if (target === undefined) {
      throw new KosError(
        'KOS_ERR_TASK_NOT_AWAITING_APPROVAL',
        waiting.length === 0
          ? `no task of goal ${goal.id} awaits approval (the goal is ${goal.state})`
          : `name the task to ${answer.decision} with "subtask_uuid": ${waiting.map((t) => t.id).join(', ')} await approval`,
        { goal_id: goal.id },
      );
    }
    const req = { taskId: target.id, reason: answer.reason ?? `${answer.decision}d through A2A` };
    await (answer.decision === 'approve' ? approveTask : denyTask)(this.env.deps, actor, req);
    return { goalId: goal.id, contextId };
  }

  /**
   * The stream of a goal: its task first, then a status update whenever its state or a task's
   * state changed; at a final state the results artifact and the final status, then the end. It
   * also ends at `input-required` (the client answers, then resubscribes), as A2A streams do.
   * A new goal's stream starts from the goal as submitted (`submitted`), before its first round.
   */
  private async *follow(
    goalId: string,
    contextId: string,
    ctx: ServerCallContext,
    submitted?: GoalSnapshot,
  ): AsyncGenerator<StreamResponse> {
    const stop = new AbortController();
    const snapshots = followGoal(this.env.deps, goalId, untilEnded(ctx, stop.signal));
    let sent: string | null = null;
    try {
      for await (const s of submitted === undefined ? snapshots : prepend(submitted, snapshots)) {
        const key = progressKey(s);
        if (key === sent) continue;
        const task = a2aTask(s, contextId);
        const state = task.status?.state ?? 0;
        const first = sent === null;
        sent = key;
        if (first) yield { payload: { $case: 'task', value: { ...task, artifacts: [] } } };
        if (first && !endsWait(state)) continue;
        if (isFinalA2aState(state)) {
          const artifact = resultArtifact(s);
          yield {
            payload: {
              $case: 'artifactUpdate',
              value: {
                taskId: goalId,
                contextId,
                artifact,
                append: false,
                lastChunk: true,
                metadata: undefined,
              },
            },
          };
        }
        yield {
          payload: {
            $case: 'statusUpdate',
            value: { taskId: goalId, contextId, status: task.status, metadata: task.metadata },
          },
        };
        if (endsWait(state)) return;
      }
    } catch (e) {
      throw this.record(ctx, e);
    } finally {
      stop.abort();
      await snapshots.return(undefined);
    }
  }

  private async task(goalId: string): Promise<Task> {
    const { contextId, ...s } = await getA2aGoal(this.env.deps, goalId);
    return a2aTask(s, contextId);
  }

  /** The caller's actor, once their role may `action`; else KOS_ERR_FORBIDDEN. */
  private caller(ctx: ServerCallContext, action: Action): Actor {
    const user = ctx.user;
    if (!(user instanceof A2aCaller))
      throw new KosError('KOS_ERR_INTERNAL', 'an A2A request reached the handler unauthenticated');
    requirePermission(user.token, action, this.env.deps.store.now());
    return tokenActor(user.token);
  }

  /** Runs a method; its refusal is kept on the call context for the route to answer with. */
  private async guard<T>(ctx: ServerCallContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.record(ctx, e);
    }
  }

  private record(ctx: ServerCallContext, e: unknown): KosError {
    let error: KosError;
    if (isKosError(e)) error = e;
    else {
      this.env.log.error({ err: e }, 'A2A request failed');
      error = new KosError('KOS_ERR_INTERNAL', 'internal error in an A2A method; see the orchestrator log');
    }
    ctx.state.set(KOS_ERROR, error);
    return error;
  }
}

/** A message taken: the goal it concerns and, for a new goal, the goal as submitted. */
interface Accepted {
  goalId: string;
  contextId: string;
  submitted?: GoalSnapshot;
}

/** `signal`, or the call's end (CALL_ENDED), whichever fires first. */
function untilEnded(ctx: ServerCallContext, signal: AbortSignal): AbortSignal {
  const ended = ctx.state.get(CALL_ENDED);
  return ended instanceof AbortSignal ? AbortSignal.any([signal, ended]) : signal;
}

async function* prepend<T>(first: T, rest: AsyncGenerator<T>): AsyncGenerator<T> {
  yield first;
  yield* rest;
}

const unsupported = (message: string) => new KosError('KOS_ERR_A2A_UNSUPPORTED', message);

/** A config as answered: the authentication's credentials are never sent back, only its scheme. */
function configView(c: A2aPushConfig): TaskPushNotificationConfig {
  return {
    tenant: '',
    id: c.id,
    taskId: c.goalId,
    url: c.url,
    token: c.token ?? '',
    authentication: c.authScheme === null ? undefined : { scheme: c.authScheme, credentials: '' },
  };
}
