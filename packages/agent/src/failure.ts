/**
 * What a handler throws to fail its task on purpose. The retry intent travels with the error
 * (like Temporal's `ApplicationFailure.nonRetryable`): the orchestrator retries a retryable
 * failure with backoff and marks the task dead after a non-retryable one.
 *
 * ```ts
 * throw TaskFailure.nonRetryable('the customer id does not exist', { code: 'unknown_customer' });
 * ```
 */
export interface TaskFailureOptions {
  /** A short machine-readable code, sent as `error.code` (default `task_failed`). */
  code?: string;
  cause?: unknown;
}

export class TaskFailure extends Error {
  readonly retryable: boolean;
  readonly code: string;

  private constructor(message: string, retryable: boolean, options: TaskFailureOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TaskFailure';
    this.retryable = retryable;
    this.code = options.code ?? 'task_failed';
  }

  static retryable(message: string, options: TaskFailureOptions = {}): TaskFailure {
    return new TaskFailure(message, true, options);
  }

  static nonRetryable(message: string, options: TaskFailureOptions = {}): TaskFailure {
    return new TaskFailure(message, false, options);
  }
}

/** The `error` of a failed TASK_RESULT for whatever a handler threw. */
export function failureOf(thrown: unknown): { code: string; message: string; retryable: boolean } {
  if (thrown instanceof TaskFailure) {
    return { code: thrown.code, message: thrown.message, retryable: thrown.retryable };
  }
  // Anything else is an unexpected crash of the handler: worth another attempt.
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { code: 'handler_error', message: message || 'the handler threw', retryable: true };
}
