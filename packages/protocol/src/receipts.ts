import type { Envelope } from './envelope.ts';

/**
 * Receipts: proof, from the event log and an agent's public key alone, that a result was sent by
 * the holder of that key (docs/protocol.md, "Receipts"). The log keeps, per result, its frame
 * without `auth` and without the result value (which the task row already holds), the session's
 * chain value after it, and every signed frame that covers new results. A verifier rebuilds each
 * frame, recomputes the chain from the session's nonce and checks the signatures: every result up to
 * the last verified signed head is attributed to the key.
 *
 * What a receipt is lives here (browser-safe: the audit endpoint's response shape); checking one
 * needs SHA-256 and Ed25519 synchronously, so verifyReceipts is in `@kos/protocol/node`.
 */

/** What the gateway stores with a result's transition. */
export type Receipt = {
  session: string;
  seq: number;
  chain: string;
  /** The TASK_RESULT envelope without `auth` and without `payload.result`. */
  frame: Omit<Envelope<'TASK_RESULT'>, 'auth'>;
  /** Whether the frame carried `payload.result` (so the verifier puts it back only then). */
  hasResult: boolean;
};

export function receiptOf(session: string, env: Envelope<'TASK_RESULT'>, chain: string): Receipt {
  const { auth: _auth, ...frame } = env;
  if (!('result' in frame.payload)) return { session, seq: env.seq, chain, frame, hasResult: false };
  const { result: _result, ...payload } = frame.payload;
  return { session, seq: env.seq, chain, frame: { ...frame, payload }, hasResult: true };
}

/**
 * The exported audit, as `GET /orchestration/audit/receipts` answers it. `results` holds the whole
 * receipt chain of every session that carried a result in scope (a chain spans goals, so a subset
 * is checked against all of it); `in_scope: false` marks the results outside the filter, which
 * are checked but not reported. `unproven` lists results in scope that came without a receipt
 * (reported over REST, with a token and no key).
 */
export interface ReceiptLog {
  sessions: { session: string; agent: string; nonce: string; key: string }[];
  results: { task_id: string; result: unknown; receipt: Receipt; in_scope?: boolean }[];
  heads: { session: string; frame: Envelope }[];
  unproven?: { task_id: string; agent: string; actor: string; outcome: string; at: string }[];
}
