import { AgentCard, TaskState, type StreamResponse } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { task } from '../../records.fixture.ts';
import { judgeState, messageFor, messageIdOf, ResultCollector, skillsOf } from './mapping.ts';

const status = (state: TaskState, text?: string): StreamResponse => ({
  payload: {
    $case: 'statusUpdate',
    value: {
      taskId: 'remote-1',
      contextId: 'c',
      metadata: undefined,
      status: {
        state,
        timestamp: undefined,
        message:
          text === undefined
            ? undefined
            : {
                messageId: 'm',
                contextId: 'c',
                taskId: 'remote-1',
                role: 2,
                parts: [
                  {
                    content: { $case: 'text', value: text },
                    metadata: undefined,
                    filename: '',
                    mediaType: '',
                  },
                ],
                metadata: undefined,
                extensions: [],
                referenceTaskIds: [],
              },
      },
    },
  },
});

const artifact = (id: string, value: unknown, append = false): StreamResponse => ({
  payload: {
    $case: 'artifactUpdate',
    value: {
      taskId: 'remote-1',
      contextId: 'c',
      append,
      lastChunk: true,
      metadata: undefined,
      artifact: {
        artifactId: id,
        name: id,
        description: '',
        metadata: undefined,
        extensions: [],
        parts: [
          typeof value === 'string'
            ? {
                content: { $case: 'text', value },
                metadata: undefined,
                filename: '',
                mediaType: 'text/plain',
              }
            : {
                content: { $case: 'data', value },
                metadata: undefined,
                filename: '',
                mediaType: 'application/json',
              },
        ],
      },
    },
  },
});

describe('A2A out: what maps to what', () => {
  it('takes skill ids and tags as kOS skills, skipping names kOS cannot hold, up to the limit', () => {
    const card = AgentCard.fromJSON({
      name: 'r',
      skills: [
        { id: 'translate', tags: ['fr', 'has space', 'translate'] },
        { id: 'Summarize v2', tags: ['summary'] },
      ],
    });
    expect(skillsOf(card, 10)).toEqual(['translate', 'fr', 'summary']);
    expect(skillsOf(card, 2)).toEqual(['translate', 'fr']);
  });

  it('derives the message id from the task and its lease epoch, and sends the input as data and its prompt as text', () => {
    const t = task('g-1', { id: 't-1', epoch: 3, input: { prompt: 'hello', n: 1 } });
    expect(messageIdOf(t)).toBe('kos:t-1:3');
    const m = messageFor(t, { up: 42 });
    expect(m.messageId).toBe('kos:t-1:3');
    expect(m.parts.map((p) => p.content?.$case)).toEqual(['text', 'data']);
    expect(m.parts[0]!.content).toEqual({ $case: 'text', value: 'hello' });
    expect(m.parts[1]!.content?.value).toMatchObject({
      task_id: 't-1',
      epoch: 3,
      input: { prompt: 'hello', n: 1 },
      upstream: { up: 42 },
    });
    expect(
      messageFor(task('g-1', { input: { n: 1 } }), undefined).parts.map((p) => p.content?.$case),
    ).toEqual(['data']);
  });

  it('judges final states: completed completes; failed, rejected and canceled fail with retry; input-required fails without retry and cancels the remote', () => {
    expect(judgeState(TaskState.TASK_STATE_WORKING, undefined)).toEqual({ kind: 'alive' });
    expect(judgeState(TaskState.TASK_STATE_COMPLETED, undefined)).toEqual({ kind: 'completed' });
    for (const [state, code] of [
      [TaskState.TASK_STATE_FAILED, 'a2a_failed'],
      [TaskState.TASK_STATE_REJECTED, 'a2a_rejected'],
      [TaskState.TASK_STATE_CANCELED, 'a2a_canceled'],
    ] as const) {
      expect(judgeState(state, undefined)).toMatchObject({
        kind: 'failed',
        code,
        retryable: true,
        cancelRemote: false,
      });
    }
    const c = new ResultCollector();
    expect(c.take(status(TaskState.TASK_STATE_INPUT_REQUIRED, 'which one?'))).toEqual({
      kind: 'failed',
      code: 'a2a_input_required',
      message: 'which one?',
      retryable: false,
      cancelRemote: true,
    });
    expect(c.remoteTaskId).toBe('remote-1');
  });

  it('makes the result the value of a lone data part, {text} of a lone text part, else the artifacts with their parts', () => {
    const one = new ResultCollector();
    one.take(artifact('a', { answer: 42 }));
    expect(one.result()).toEqual({ answer: 42 });
    const text = new ResultCollector();
    text.take(artifact('a', 'bonjour'));
    expect(text.result()).toEqual({ text: 'bonjour' });
    const chunks = new ResultCollector();
    chunks.take(artifact('a', 'bon'));
    chunks.take(artifact('a', 'jour', true));
    chunks.take(artifact('b', { n: 1 }));
    expect(chunks.result()).toEqual({
      artifacts: [
        { name: 'a', parts: [{ text: 'bon' }, { text: 'jour' }] },
        { name: 'b', parts: [{ data: { n: 1 } }] },
      ],
    });
  });
});
