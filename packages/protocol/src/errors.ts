/**
 * The one registry of error codes. Every error the orchestrator returns (HTTP body
 * `{ error: { code, message, details? } }`) or an agent receives carries one of these codes;
 * `docs/errors.md` lists them all and a test keeps the two in sync.
 */
export const ERROR_CODES = {
  KOS_ERR_BAD_JSON: { status: 400, summary: 'The request body is not valid JSON.' },
  KOS_ERR_VALIDATION: { status: 400, summary: 'The request does not match the route schema.' },
  KOS_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The request body must be application/json.' },
  KOS_ERR_BODY_TOO_LARGE: { status: 413, summary: 'The request body exceeds limits.max_body_bytes.' },
  KOS_ERR_LIMIT_EXCEEDED: {
    status: 422,
    summary: 'A size limit (tasks per goal, input bytes, skills, …) was exceeded.',
  },
  KOS_ERR_UNAUTHENTICATED: {
    status: 401,
    summary: 'A mutating route needs `Authorization: Bearer <token>`.',
  },
  KOS_ERR_FORBIDDEN: { status: 403, summary: "The token's role may not call this route." },
  KOS_ERR_AGENT_MISMATCH: { status: 403, summary: 'An agent token may act only as its own agent.' },
  KOS_ERR_ROUTE_NOT_FOUND: { status: 404, summary: 'No such route.' },
  KOS_ERR_GOAL_NOT_FOUND: { status: 404, summary: 'No goal has this id.' },
  KOS_ERR_TASK_NOT_FOUND: { status: 404, summary: 'No task has this id.' },
  KOS_ERR_AGENT_NOT_FOUND: { status: 404, summary: 'No agent has this id.' },
  KOS_ERR_TOKEN_NOT_FOUND: { status: 404, summary: 'No token has this id.' },
  KOS_ERR_DAG_CYCLE: { status: 422, summary: 'The submitted tasks depend on each other in a cycle.' },
  KOS_ERR_DAG_UNKNOWN_DEPENDENCY: {
    status: 422,
    summary: 'A task depends on a task name the goal does not define.',
  },
  KOS_ERR_DAG_DUPLICATE_TASK: { status: 422, summary: 'Two tasks of one goal have the same name.' },
  KOS_ERR_TEMPLATE_INVALID: { status: 422, summary: 'A workflow template file is malformed.' },
  KOS_ERR_PLAN_SKILL_MISSING: {
    status: 422,
    summary: 'A proposed task needs a skill that no agent of the fleet offers, nor a fallback of it.',
  },
  KOS_ERR_PLANNER_FAILED: {
    status: 422,
    summary: 'The planner agent could not produce a plan (the model answered garbage or timed out).',
  },
  KOS_ERR_PLAN_REJECTED: {
    status: 422,
    summary:
      'Every proposal of the planner was rejected, repairs included, and no template could take the goal.',
  },
  KOS_ERR_NOT_LEASE_HOLDER: {
    status: 409,
    summary: 'Only the agent holding the current lease may report on this task.',
  },
  KOS_ERR_STALE_EPOCH: {
    status: 409,
    summary: 'The lease epoch is not the current one: the lease was revoked or reassigned.',
  },
  KOS_ERR_TASK_NOT_ACTIVE: {
    status: 409,
    summary: 'The task is not leased (already finished, cancelled or waiting).',
  },
  KOS_ERR_GOAL_FINISHED: { status: 409, summary: 'The goal has already finished.' },
  KOS_ERR_TASK_NOT_DEAD: { status: 409, summary: 'Only a dead task (a dead letter) can be retried.' },
  KOS_ERR_TASK_NOT_AWAITING_APPROVAL: {
    status: 409,
    summary: 'Only a task awaiting approval can be approved or denied.',
  },
  KOS_ERR_GOAL_CANCELLED: {
    status: 409,
    summary: 'The goal was cancelled by a user; its tasks cannot be retried.',
  },
  KOS_ERR_TASK_CANCELLED: {
    status: 409,
    summary:
      'The task is being cancelled: its holder must stop and acknowledge; results and progress are not applied.',
  },
  KOS_ERR_TASK_FINISHED: {
    status: 409,
    summary: 'The task has already finished or is being cancelled: there is nothing to cancel.',
  },
  KOS_ERR_DELEGATION_LOOP: {
    status: 409,
    summary: 'A task was delegated to its holder or to an agent already in its delegation chain.',
  },
  KOS_ERR_AGENT_NOT_ACTIVE: {
    status: 409,
    summary: 'The agent is unregistered or quarantined; register it again.',
  },
  KOS_ERR_AGENT_QUARANTINED: { status: 409, summary: 'The agent is already quarantined.' },
  KOS_ERR_TOKEN_REVOKED: { status: 409, summary: 'The token is already revoked.' },
  KOS_ERR_AGENT_NOT_QUARANTINED: {
    status: 409,
    summary: 'The agent is not quarantined, so there is nothing to release.',
  },
  KOS_ERR_ILLEGAL_TRANSITION: { status: 409, summary: 'The state machine does not allow this transition.' },
  KOS_ERR_BAD_FRAME: {
    status: 400,
    summary: 'A KLP frame is not UTF-8 JSON, has the wrong version or does not match its schema.',
  },
  KOS_ERR_FRAME_TOO_LARGE: { status: 413, summary: 'A KLP frame exceeds limits.max_body_bytes.' },
  KOS_ERR_BAD_ADDRESS: { status: 400, summary: 'A kai:// address does not follow the address grammar.' },
  KOS_ERR_HANDSHAKE_REQUIRED: {
    status: 401,
    summary: 'A KLP frame came before hello or after disconnect; only hello is accepted then.',
  },
  KOS_ERR_BAD_SIGNATURE: {
    status: 401,
    summary: 'A frame signature does not verify with the key it names, or its kid is not that key.',
  },
  KOS_ERR_REPLAY: {
    status: 401,
    summary:
      'A frame was replayed: its seq did not increase, its ts is outside the window or its id was seen.',
  },
  KOS_ERR_CHAIN_MISMATCH: {
    status: 401,
    summary: "A frame's receipt chain value differs from the one the orchestrator computed.",
  },
  KOS_ERR_IDENTITY_MISMATCH: {
    status: 403,
    summary: 'An agent name was presented with a key other than the one it is bound to.',
  },
  KOS_ERR_PROOF_REQUIRED: {
    status: 403,
    summary: 'The agent is bound to an Ed25519 key; only a KLP session that proved that key may act as it.',
  },
  KOS_ERR_KEY_INVALID: {
    status: 400,
    summary: 'A key or key file is malformed, or the key file is readable by group or others.',
  },
  KOS_ERR_KEY_EXISTS: {
    status: 409,
    summary: 'A key file already exists at this path; it is kept unless overwrite is asked for.',
  },
  KOS_ERR_FILE_EXISTS: {
    status: 409,
    summary: 'A file already exists at this path (a backup, a restored store); it is kept unless --force.',
  },
  KOS_ERR_BACKUP_INVALID: {
    status: 422,
    summary: 'The file is not a readable kOS store: missing, damaged, or another database.',
  },
  KOS_ERR_A2A_METHOD_NOT_FOUND: {
    status: 404,
    summary: 'The A2A JSON-RPC method does not exist (JSON-RPC -32601).',
  },
  KOS_ERR_A2A_UNSUPPORTED: {
    status: 400,
    summary:
      'The A2A request asks for what kOS does not do, e.g. a file part or a follow-up to a finished task (-32004).',
  },
  KOS_ERR_A2A_PUSH_DISABLED: {
    status: 422,
    summary: 'A2A push notifications are off: a2a.push_allowlist is empty (-32003).',
  },
  KOS_ERR_A2A_PUSH_URL_REFUSED: {
    status: 422,
    summary:
      'A push URL is outside a2a.push_allowlist, or resolves to a private or loopback address the allowlist does not name.',
  },
  KOS_ERR_A2A_PUSH_CONFIG_NOT_FOUND: {
    status: 404,
    summary: 'The A2A task has no push config with this id.',
  },
  KOS_ERR_A2A_CARD_UNREACHABLE: {
    status: 502,
    summary: 'The Agent Card URL did not answer: refused, timed out, not 2xx, or redirected to another host.',
  },
  KOS_ERR_A2A_CARD_INVALID: {
    status: 422,
    summary: 'The Agent Card is not JSON, too large, or lacks a name, skills or a JSON-RPC interface.',
  },
  KOS_ERR_A2A_NAME_TAKEN: {
    status: 409,
    summary:
      'The name is an agent that is not this remote A2A agent (another card URL, or a KLP/REST agent).',
  },
  KOS_ERR_CONFIG_INVALID: {
    status: 500,
    summary: 'The configuration has invalid values (reported at start).',
  },
  KOS_ERR_STORE_UNAVAILABLE: { status: 503, summary: 'The store cannot be reached; retry later.' },
  KOS_ERR_NOT_READY: { status: 503, summary: 'The orchestrator is starting or stopping.' },
  KOS_ERR_RATE_LIMITED: {
    status: 429,
    summary:
      'The caller (token, or address without credentials) exceeded its rate or concurrency limit; see Retry-After.',
  },
  KOS_ERR_OVERLOADED: {
    status: 503,
    summary: 'Too many requests or sockets at once overall; retry after Retry-After.',
  },
  KOS_ERR_REQUEST_TIMEOUT: {
    status: 408,
    summary: 'The client did not send its headers or its whole request in time (limits.*_timeout_ms).',
  },
  KOS_ERR_BAD_REQUEST: { status: 400, summary: 'The request is not valid HTTP.' },
  KOS_ERR_HEADERS_TOO_LARGE: { status: 431, summary: 'The request headers are too large.' },
  KOS_ERR_DASHBOARD_NOT_BUILT: {
    status: 503,
    summary: 'The dashboard is enabled but its build is missing; run `npm run build`.',
  },
  KOS_ERR_INTERNAL: { status: 500, summary: 'An unexpected error; the log has the details.' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a registered code: thrown by the core, mapped to HTTP by the API layer. */
export class KosError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'KosError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isKosError(e: unknown): e is KosError {
  return e instanceof KosError;
}
