import { ERROR_CODES, KosError } from '@kos/protocol';
import type { ErrorCode } from '@kos/protocol';

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** A KosError for a code the orchestrator sent (a code this SDK does not know yet is kept in
 * `details.code` of a KOS_ERR_INTERNAL). */
export function remoteError(code: string, message: string, details: Record<string, unknown> = {}): KosError {
  return isErrorCode(code)
    ? new KosError(code, message, details)
    : new KosError('KOS_ERR_INTERNAL', `${code}: ${message}`, { ...details, code });
}

/** Handshake refusals that another attempt cannot fix: the operator must change the key, the
 * token or the agent's options, or the SDK and the orchestrator disagree on the protocol (a hello
 * is the first frame of its chain, so a chain mismatch there is not a lost frame). Everything else
 * (network, restarts, replays after a clock jump) is retried with backoff. */
const FATAL_HANDSHAKE_CODES: ReadonlySet<string> = new Set([
  'KOS_ERR_IDENTITY_MISMATCH',
  'KOS_ERR_BAD_SIGNATURE',
  'KOS_ERR_KEY_INVALID',
  'KOS_ERR_UNAUTHENTICATED',
  'KOS_ERR_FORBIDDEN',
  'KOS_ERR_AGENT_MISMATCH',
  'KOS_ERR_BAD_FRAME',
  'KOS_ERR_CHAIN_MISMATCH',
  'KOS_ERR_HANDSHAKE_REQUIRED',
  'KOS_ERR_BAD_ADDRESS',
  'KOS_ERR_VALIDATION',
  'KOS_ERR_LIMIT_EXCEEDED',
]);

export function isFatalHandshakeCode(code: string): boolean {
  return FATAL_HANDSHAKE_CODES.has(code);
}

/** Replies to a result or status update that mean the lease is no longer ours. */
const LEASE_LOST_CODES: ReadonlySet<string> = new Set([
  'KOS_ERR_STALE_EPOCH',
  'KOS_ERR_NOT_LEASE_HOLDER',
  'KOS_ERR_TASK_NOT_ACTIVE',
  'KOS_ERR_GOAL_FINISHED',
]);

export function isLeaseLostCode(code: string): boolean {
  return LEASE_LOST_CODES.has(code);
}
