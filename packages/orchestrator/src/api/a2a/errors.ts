import { A2A_ERROR_CODE } from '@a2a-js/sdk/errors';
import { KosError, type ErrorCode } from '@kos/protocol';

/** A JSON-RPC error object as A2A's JSON-RPC binding sends it (`data`: google.rpc.ErrorInfo details). */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data: { '@type': string; reason: string; domain: string; metadata: Record<string, string> }[];
}

const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
/** JSON-RPC's "server error" range: a kOS refusal with no A2A meaning (auth, readiness, internal). */
export const KOS_SERVER_ERROR = -32000;

/** The A2A JSON-RPC code (and the spec's reason) of each kOS code that has one. */
const A2A_OF: Partial<Record<ErrorCode, [number, string]>> = {
  KOS_ERR_BAD_JSON: [A2A_ERROR_CODE.PARSE_ERROR, 'PARSE_ERROR'],
  KOS_ERR_BODY_TOO_LARGE: [A2A_ERROR_CODE.INVALID_REQUEST, 'INVALID_REQUEST'],
  KOS_ERR_UNSUPPORTED_MEDIA_TYPE: [A2A_ERROR_CODE.CONTENT_TYPE_NOT_SUPPORTED, 'CONTENT_TYPE_NOT_SUPPORTED'],
  KOS_ERR_A2A_METHOD_NOT_FOUND: [A2A_ERROR_CODE.METHOD_NOT_FOUND, 'METHOD_NOT_FOUND'],
  KOS_ERR_VALIDATION: [A2A_ERROR_CODE.INVALID_PARAMS, 'INVALID_PARAMS'],
  KOS_ERR_LIMIT_EXCEEDED: [A2A_ERROR_CODE.INVALID_PARAMS, 'INVALID_PARAMS'],
  KOS_ERR_DAG_CYCLE: [A2A_ERROR_CODE.INVALID_PARAMS, 'INVALID_PARAMS'],
  KOS_ERR_DAG_UNKNOWN_DEPENDENCY: [A2A_ERROR_CODE.INVALID_PARAMS, 'INVALID_PARAMS'],
  KOS_ERR_DAG_DUPLICATE_TASK: [A2A_ERROR_CODE.INVALID_PARAMS, 'INVALID_PARAMS'],
  KOS_ERR_TEMPLATE_INVALID: [A2A_ERROR_CODE.INVALID_PARAMS, 'INVALID_PARAMS'],
  KOS_ERR_A2A_PUSH_URL_REFUSED: [A2A_ERROR_CODE.INVALID_PARAMS, 'INVALID_PARAMS'],
  KOS_ERR_GOAL_NOT_FOUND: [A2A_ERROR_CODE.TASK_NOT_FOUND, 'TASK_NOT_FOUND'],
  KOS_ERR_TASK_NOT_FOUND: [A2A_ERROR_CODE.TASK_NOT_FOUND, 'TASK_NOT_FOUND'],
  KOS_ERR_A2A_PUSH_CONFIG_NOT_FOUND: [A2A_ERROR_CODE.TASK_NOT_FOUND, 'TASK_NOT_FOUND'],
  KOS_ERR_GOAL_FINISHED: [A2A_ERROR_CODE.TASK_NOT_CANCELABLE, 'TASK_NOT_CANCELABLE'],
  KOS_ERR_A2A_PUSH_DISABLED: [
    A2A_ERROR_CODE.PUSH_NOTIFICATION_NOT_SUPPORTED,
    'PUSH_NOTIFICATION_NOT_SUPPORTED',
  ],
  KOS_ERR_A2A_UNSUPPORTED: [A2A_ERROR_CODE.UNSUPPORTED_OPERATION, 'UNSUPPORTED_OPERATION'],
  KOS_ERR_TASK_NOT_AWAITING_APPROVAL: [A2A_ERROR_CODE.UNSUPPORTED_OPERATION, 'UNSUPPORTED_OPERATION'],
  KOS_ERR_INTERNAL: [A2A_ERROR_CODE.INTERNAL_ERROR, 'INTERNAL_ERROR'],
};

/**
 * A kOS refusal as a JSON-RPC error: the A2A code where the spec has one (-32001 task not found,
 * -32002 not cancelable, -32003 push not supported, -32004 unsupported, -32602 invalid params,
 * -32601, -32700), else -32000; always one ErrorInfo detail whose `reason` and `metadata.code`
 * are the `KOS_ERR_*` code, with its details as strings.
 */
export function jsonRpcErrorOf(e: KosError): JsonRpcErrorObject {
  const [code] = A2A_OF[e.code] ?? [KOS_SERVER_ERROR];
  const metadata: Record<string, string> = { code: e.code };
  for (const [k, v] of Object.entries(e.details ?? {}))
    metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return {
    code,
    message: `${e.code}: ${e.message}`,
    data: [{ '@type': ERROR_INFO, reason: e.code, domain: 'kos', metadata }],
  };
}

/** The kOS code of an error the SDK's transport answered by itself (its own parsing and routing). */
export function kosCodeOfJsonRpc(code: number): ErrorCode {
  switch (code) {
    case A2A_ERROR_CODE.PARSE_ERROR:
      return 'KOS_ERR_BAD_JSON';
    case A2A_ERROR_CODE.METHOD_NOT_FOUND:
      return 'KOS_ERR_A2A_METHOD_NOT_FOUND';
    case A2A_ERROR_CODE.INVALID_REQUEST:
    case A2A_ERROR_CODE.INVALID_PARAMS:
      return 'KOS_ERR_VALIDATION';
    case A2A_ERROR_CODE.TASK_NOT_FOUND:
      return 'KOS_ERR_GOAL_NOT_FOUND';
    case A2A_ERROR_CODE.UNSUPPORTED_OPERATION:
    case A2A_ERROR_CODE.EXTENDED_CARD_NOT_CONFIGURED:
    case A2A_ERROR_CODE.VERSION_NOT_SUPPORTED:
      return 'KOS_ERR_A2A_UNSUPPORTED';
    default:
      return 'KOS_ERR_INTERNAL';
  }
}

/** An SDK-made error object with the kOS code added, so every refusal carries one. */
export function withKosCode(error: { code: number; message: string }): JsonRpcErrorObject {
  const code = kosCodeOfJsonRpc(error.code);
  return { ...jsonRpcErrorOf(new KosError(code, error.message)), code: error.code };
}
