import { describe, expect, it } from 'vitest';
import { failureOf, TaskFailure } from './failure.ts';

describe('TaskFailure', () => {
  it('carries the retry intent, code and cause', () => {
    const cause = new Error('socket hang up');
    const retry = TaskFailure.retryable('upstream down', { code: 'upstream', cause });
    const fatal = TaskFailure.nonRetryable('bad input');
    expect(retry).toBeInstanceOf(Error);
    expect([retry.retryable, retry.code, retry.cause, retry.message]).toEqual([
      true,
      'upstream',
      cause,
      'upstream down',
    ]);
    expect([fatal.retryable, fatal.code, fatal.message]).toEqual([false, 'task_failed', 'bad input']);
  });

  it('becomes a result error with its retryable flag', () => {
    expect(failureOf(TaskFailure.nonRetryable('no such customer', { code: 'unknown_customer' }))).toEqual({
      code: 'unknown_customer',
      message: 'no such customer',
      retryable: false,
    });
  });

  it('treats any other thrown value as a retryable handler error', () => {
    expect(failureOf(new TypeError('x is undefined'))).toEqual({
      code: 'handler_error',
      message: 'x is undefined',
      retryable: true,
    });
    expect(failureOf('plain string')).toEqual({
      code: 'handler_error',
      message: 'plain string',
      retryable: true,
    });
  });
});
