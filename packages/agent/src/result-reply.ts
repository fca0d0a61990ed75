import type { Payloads } from '@kos/protocol';
import { HANDOFF_REFUSED, isHandoff } from './handoff.ts';
import { isLeaseLostCode } from './remote-error.ts';
import type { Reply } from './session.ts';

type TaskResult = Payloads['TASK_RESULT'];

/** The store was busy or restarting: nothing of the result was applied, and sending it again may work. */
const TRANSIENT = new Set(['KOS_ERR_STORE_UNAVAILABLE', 'KOS_ERR_NOT_READY']);
/** Longest wait between two sends of a result the orchestrator could not store yet. */
const MAX_RETRY_MS = 5000;

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
  /** Send it again after `afterMs`: the task stays held (listed in heartbeats, so its lease lives). */
  | { action: 'retry'; afterMs: number }
  /** The failed attempt to report in place of the refused outcome. */
  | { action: 'fail'; error: { code: string; message: string; retryable: boolean } }
);

/**
 * `retry.sent`: how many sends of this result were refused as transient so far; `retry.random` in
 * [0, 1) spreads the next send (full jitter over an exponential backoff, capped at 5 s).
 */
export function decideOnReply(
  reply: Reply,
  outcome: TaskResult,
  retry: { sent: number; random: number } = { sent: 0, random: 0.5 },
): ReplyDecision {
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
    // Still held, so still listed in heartbeats: the lease lives and a late ack or a second send
    // settles it (a result already applied is then refused as stale and forgotten).
    return sendAgain(retry, 'no acknowledgement for a result; sending it again');
  }
  const { code } = reply;
  if (code === 'KOS_ERR_TASK_CANCELLED') {
    return { action: 'stop', log: 'info', message: 'result not applied: the task was cancelled' };
  }
  if (TRANSIENT.has(code)) {
    return sendAgain(retry, 'the orchestrator could not store the result yet; sending it again', { code });
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

/** Full jitter over an exponential backoff (100 ms doubling), capped at MAX_RETRY_MS. */
function sendAgain(
  retry: { sent: number; random: number },
  message: string,
  detail: Record<string, unknown> = {},
): ReplyDecision {
  const ceiling = Math.min(MAX_RETRY_MS, 100 * 2 ** retry.sent);
  return {
    action: 'retry',
    afterMs: Math.max(1, Math.round(ceiling * retry.random)),
    log: 'warn',
    message,
    detail: { ...detail, sent: retry.sent + 1 },
  };
}
