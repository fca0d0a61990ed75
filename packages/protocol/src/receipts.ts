import { chainNext, chainStart } from './chain.ts';
import type { Envelope } from './envelope.ts';
import { verifyEnvelope } from './signing.ts';

/**
 * Receipts: proof, from the event log and an agent's public key alone, that a result was sent by
 * the holder of that key (docs/protocol.md, "Receipts"). The log keeps, per result, its frame
 * without `auth` and without the result value (which the task row already holds), the session's
 * chain value after it, and every signed frame that covers new results. A verifier rebuilds each
 * frame, recomputes the chain from the session's nonce and checks the signatures: every result up to
 * the last verified signed head is attributed to the key.
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

/** The exported audit of one or more sessions, as `GET /orchestration/audit/receipts` answers it. */
export interface ReceiptLog {
  sessions: { session: string; agent: string; nonce: string; key: string }[];
  results: { task_id: string; result: unknown; receipt: Receipt }[];
  heads: { session: string; frame: Envelope }[];
}

export interface ReceiptVerdict {
  attributed: { task_id: string; agent: string; key: string }[];
  unattributed: { task_id: string; reason: string }[];
}

/** Verifies a receipt log offline. Pure: no clock, no store; never throws on bad input. */
export function verifyReceipts(log: ReceiptLog): ReceiptVerdict {
  const verdict: ReceiptVerdict = { attributed: [], unattributed: [] };
  for (const s of log.sessions) {
    const results = log.results
      .filter((r) => r.receipt.session === s.session)
      .sort((a, b) => a.receipt.seq - b.receipt.seq);
    // Recompute the chain; a result whose rebuilt frame does not give its chain value breaks it.
    let head = chainStart(s.nonce);
    const chained: { taskId: string; chain: string }[] = [];
    let broken: string | null = null;
    for (const r of results) {
      if (broken) {
        verdict.unattributed.push({ task_id: r.task_id, reason: broken });
        continue;
      }
      const payload = r.receipt.hasResult
        ? { ...r.receipt.frame.payload, result: r.result }
        : r.receipt.frame.payload;
      head = chainNext(head, { ...r.receipt.frame, payload } as Envelope);
      if (head !== r.receipt.chain) {
        broken = `receipt chain broken at seq ${r.receipt.seq}: the stored result or frame was altered`;
        verdict.unattributed.push({ task_id: r.task_id, reason: broken });
        continue;
      }
      chained.push({ taskId: r.task_id, chain: head });
    }
    // The last position covered by a valid signature of this session's key.
    let covered = -1;
    for (const h of log.heads.filter((x) => x.session === s.session)) {
      if (!verifyEnvelope(h.frame, s.key)) continue;
      const at = chained.findIndex((c) => c.chain === h.frame.auth?.chain);
      covered = Math.max(covered, at);
    }
    chained.forEach((c, i) => {
      if (i <= covered) verdict.attributed.push({ task_id: c.taskId, agent: s.agent, key: s.key });
      else
        verdict.unattributed.push({
          task_id: c.taskId,
          reason: 'not yet covered by a signed frame of the agent',
        });
    });
  }
  return verdict;
}
