import {
  Role,
  TaskState,
  type AgentCard,
  type Artifact,
  type Message,
  type Part,
  type StreamResponse,
} from '@a2a-js/sdk';
import type { Task } from '../../scheduler/task.ts';

/**
 * What maps to what between a kOS lease and an A2A exchange (docs/interop.md, "A2A out"). Pure:
 * the bridge (remote.ts) does the I/O.
 */

/** kOS skill names: the REST schema's pattern. Card skill ids and tags that do not fit are skipped. */
const SKILL = /^[A-Za-z0-9_.:/-]{1,100}$/;

/** The card's skills as kOS skills: each skill's id and its tags, deduplicated, at most `max`. */
export function skillsOf(card: AgentCard, max: number): string[] {
  const out = new Set<string>();
  for (const s of card.skills) {
    for (const name of [s.id, ...(s.tags ?? [])])
      if (typeof name === 'string' && SKILL.test(name)) out.add(name);
  }
  return [...out].slice(0, max);
}

/**
 * One message id per lease: the task id and the lease epoch. A retry of the same lease (a
 * restart re-pushing it) carries the same id, so the remote can recognise it; a new lease, a new id.
 */
export function messageIdOf(task: Pick<Task, 'id' | 'epoch'>): string {
  return `kos:${task.id}:${task.epoch}`;
}

const dataPart = (value: unknown): Part => ({
  content: { $case: 'data', value },
  metadata: undefined,
  filename: '',
  mediaType: 'application/json',
});

const textPart = (value: string): Part => ({
  content: { $case: 'text', value },
  metadata: undefined,
  filename: '',
  mediaType: 'text/plain',
});

/** The text prompt of a task's input, when it has one: a string input, or its `prompt` / `text`. */
function promptOf(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  if (typeof input !== 'object' || input === null) return undefined;
  const o = input as Record<string, unknown>;
  const p = o['prompt'] ?? o['text'];
  return typeof p === 'string' ? p : undefined;
}

/**
 * The A2A message for a lease: a data part with the task as an agent of kOS sees it (as in a KLP
 * TASK_REQUEST), and a text part for the prompt when there is one. The goal is the context.
 */
export function messageFor(task: Task, upstream: Record<string, unknown> | undefined): Message {
  const prompt = promptOf(task.input);
  const data = {
    task_id: task.id,
    goal_id: task.goalId,
    name: task.name,
    skills: task.skills,
    input: task.input ?? null,
    epoch: task.epoch,
    attempt: task.attempts,
    checkpoint: task.checkpoint ?? null,
    ...(upstream === undefined ? {} : { upstream }),
  };
  return {
    messageId: messageIdOf(task),
    contextId: `kos:${task.goalId}`,
    taskId: '',
    role: Role.ROLE_USER,
    parts: prompt === undefined ? [dataPart(data)] : [textPart(prompt), dataPart(data)],
    metadata: { kos_task_id: task.id, kos_epoch: task.epoch },
    extensions: [],
    referenceTaskIds: [],
  };
}

/** What one stream event means for the lease. */
export type Verdict =
  /** Work goes on: a sign of life (renews the lease). */
  | { kind: 'alive' }
  | { kind: 'completed' }
  | { kind: 'failed'; code: string; message: string; retryable: boolean; cancelRemote: boolean };

function textOf(message: Message | undefined): string {
  const texts = (message?.parts ?? []).flatMap((p) => (p.content?.$case === 'text' ? [p.content.value] : []));
  return texts.join(' ').slice(0, 500);
}

/** The verdict on a task state the remote reported. */
export function judgeState(state: TaskState, message: Message | undefined): Verdict {
  const said = textOf(message);
  const because = (fallback: string): string => (said === '' ? fallback : said);
  switch (state) {
    case TaskState.TASK_STATE_COMPLETED:
      return { kind: 'completed' };
    case TaskState.TASK_STATE_FAILED:
      return {
        kind: 'failed',
        code: 'a2a_failed',
        message: because('the remote agent failed'),
        retryable: true,
        cancelRemote: false,
      };
    case TaskState.TASK_STATE_REJECTED:
      return {
        kind: 'failed',
        code: 'a2a_rejected',
        message: because('the remote agent rejected the task'),
        retryable: true,
        cancelRemote: false,
      };
    case TaskState.TASK_STATE_CANCELED:
      return {
        kind: 'failed',
        code: 'a2a_canceled',
        message: because('the remote agent cancelled the task'),
        retryable: true,
        cancelRemote: false,
      };
    // kOS has no channel to answer a question mid-task: the question is kept as the error, the
    // remote's task is cancelled, and the task is not retried with the same input (an operator
    // may retry it: kos tasks retry).
    case TaskState.TASK_STATE_INPUT_REQUIRED:
    case TaskState.TASK_STATE_AUTH_REQUIRED:
      return {
        kind: 'failed',
        code: state === TaskState.TASK_STATE_INPUT_REQUIRED ? 'a2a_input_required' : 'a2a_auth_required',
        message: because('the remote agent asks for more input'),
        retryable: false,
        cancelRemote: true,
      };
    default:
      return { kind: 'alive' };
  }
}

/** Collects a stream's artifacts (chunks with `append` joined) and its final message, if any. */
export class ResultCollector {
  private readonly artifacts = new Map<string, Artifact>();
  private reply: Message | undefined;
  /** The remote's task id, from the first event that names it: what tasks/cancel needs. */
  remoteTaskId: string | undefined;

  /** Takes one event in; returns the verdict it implies. */
  take(event: StreamResponse): Verdict {
    const p = event.payload;
    switch (p?.$case) {
      case 'task':
        this.remoteTaskId ??= p.value.id;
        for (const a of p.value.artifacts) this.artifacts.set(a.artifactId, a);
        return p.value.status ? judgeState(p.value.status.state, p.value.status.message) : { kind: 'alive' };
      case 'statusUpdate':
        this.remoteTaskId ??= p.value.taskId;
        return p.value.status ? judgeState(p.value.status.state, p.value.status.message) : { kind: 'alive' };
      case 'artifactUpdate': {
        this.remoteTaskId ??= p.value.taskId;
        const a = p.value.artifact;
        if (a) {
          const before = this.artifacts.get(a.artifactId);
          this.artifacts.set(
            a.artifactId,
            p.value.append && before ? { ...before, parts: [...before.parts, ...a.parts] } : a,
          );
        }
        return { kind: 'alive' };
      }
      case 'message':
        // A direct reply without a task: the exchange is over, the reply is the result.
        this.reply = p.value;
        return { kind: 'completed' };
      default:
        return { kind: 'alive' };
    }
  }

  /**
   * The kOS result: the value itself when the remote answered with one data part (the common
   * case for an agent of kOS), `{text}` for one text part, else every artifact with its parts.
   */
  result(): unknown {
    const artifacts = this.reply
      ? [{ artifactId: '', name: 'reply', parts: this.reply.parts }]
      : [...this.artifacts.values()];
    const parts = artifacts.flatMap((a) => a.parts);
    const only = parts.length === 1 ? parts[0]?.content : undefined;
    if (only?.$case === 'data') return only.value ?? null;
    if (only?.$case === 'text') return { text: only.value };
    return { artifacts: artifacts.map((a) => ({ name: a.name, parts: a.parts.map(partView) })) };
  }
}

function partView(p: Part): Record<string, unknown> {
  const c = p.content;
  switch (c?.$case) {
    case 'text':
      return { text: c.value };
    case 'data':
      return { data: c.value ?? null };
    case 'url':
      return { url: c.value, media_type: p.mediaType, filename: p.filename };
    case 'raw':
      return {
        bytes_base64: Buffer.from(c.value).toString('base64'),
        media_type: p.mediaType,
        filename: p.filename,
      };
    default:
      return {};
  }
}
