import type { Payloads } from '@kos/protocol';
import { HANDOFF_REFUSED, isHandoff } from './handoff.ts';
import { isLeaseLostCode } from './remote-error.ts';
import type { Reply } from './session.ts';

type TaskResult = Payloads['TASK_RESULT'];

/** Codes a result can be refused with because of its own content (too large, not JSON-able):
 * another attempt would produce the same refusal, so the task fails for good instead. */
const RESULT_REJECTED = new Set(['KOS_ERR_FRAME_TOO_LARGE', 'KOS_ERR_BAD_FRAME', 'KOS_ERR_LIMIT_EXCEEDED']);

/**
 * What the agent does with the orchestrator's answer to a result it sent: forget the task, keep
 * the result for the next session, stop the task (it was cancelled), or report a failed attempt
 * in its place. Pure; the log line to write comes with it.
 */
export type ReplyDecision = {
  log: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** Fields for the log line besides the task id. */
  detail?: Record<string, unknown>;
} & (
  | { action: 'forget' | 'keep' | 'stop' }
  /** The failed attempt to report in place of the refused outcome. */
  | { action: 'fail'; error: { code: string; message: string; retryable: boolean } }
);

export function decideOnReply(reply: Reply, outcome: TaskResult): ReplyDecision {
  if (reply.ok) {
    return {
      action: 'forget',
      log: 'debug',
      message: 'result delivered',
      detail: { status: outcome.status },
    };
  }
  if (reply.reason === 'closed') {
    // Kept: sent again after reconnecting if the orchestrator resumes the lease.
    return {
      action: 'keep',
      log: 'info',
      message: 'connection lost before the result was acknowledged; kept for the next session',
    };
  }
  if (reply.reason === 'timeout') {
    return {
      action: 'forget',
      log: 'warn',
      message: 'no acknowledgement for a result; dropping it (the lease will expire)',
    };
  }
  const { code } = reply;
  if (code === 'KOS_ERR_TASK_CANCELLED') {
    return { action: 'stop', log: 'info', message: 'result not applied: the task was cancelled' };
  }
  if (isLeaseLostCode(code)) {
    return {
      action: 'forget',
      log: 'warn',
      message: 'result dropped: the lease is no longer ours',
      detail: { code },
    };
  }
  if (isHandoff(outcome) && HANDOFF_REFUSED.has(code)) {
    // The hand-off cannot be made (a loop, an unknown agent): the attempt fails instead,
    // retryably, so that another agent gets the task.
    const message = `the orchestrator refused the hand-off (${code}: ${reply.message})`;
    return {
      action: 'fail',
      error: { code: 'handoff_refused', message, retryable: true },
      log: 'warn',
      message: 'hand-off refused; failing the attempt instead',
      detail: { code },
    };
  }
  if (outcome.status === 'succeeded' && RESULT_REJECTED.has(code)) {
    const message = `the orchestrator refused the result (${code}: ${reply.message})`;
    return {
      action: 'fail',
      error: { code: 'result_rejected', message, retryable: false },
      log: 'error',
      message: 'the orchestrator refused the result; failing the task',
      detail: { code },
    };
  }
  return {
    action: 'forget',
    log: 'error',
    message: 'result refused',
    detail: { code, error: reply.message },
  };
}
