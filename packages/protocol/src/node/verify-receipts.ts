import type { Envelope } from '../envelope.ts';
import type { ReceiptLog } from '../receipts.ts';
import { chainNext, chainStart } from './chain.ts';
import { verifyEnvelope } from './signing.ts';

/** What verifyReceipts concludes about a receipt log (what a receipt is: ../receipts.ts). */
export interface ReceiptVerdict {
  attributed: { task_id: string; agent: string; key: string }[];
  /**
   * `pending`: the chain is intact up to this result, but no frame the agent signed covers it yet
   * (its next signed frame, a heartbeat, will): not attributed yet, not refuted either.
   */
  unattributed: { task_id: string; reason: string; pending?: true }[];
}

export interface VerifyOptions {
  /** Pin the agent's public key (base64url) instead of trusting the one the log records. */
  key?: string | undefined;
}

/**
 * Verifies a receipt log offline: every result in scope ends either attributed to its key or
 * unattributed with the reason. Pure: no clock, no store; never throws on bad input.
 */
export function verifyReceipts(log: ReceiptLog, options: VerifyOptions = {}): ReceiptVerdict {
  const verdict: ReceiptVerdict = { attributed: [], unattributed: [] };
  const inScope = (r: ReceiptLog['results'][number]) => r.in_scope !== false;
  const refuse = (r: ReceiptLog['results'][number], reason: string, pending = false) => {
    if (inScope(r))
      verdict.unattributed.push({ task_id: r.task_id, reason, ...(pending ? { pending: true } : {}) });
  };
  const known = new Set(log.sessions.map((s) => s.session));
  for (const r of log.results) {
    if (!known.has(r.receipt.session)) refuse(r, `no record of session ${r.receipt.session} in the log`);
  }
  for (const s of log.sessions) {
    const results = log.results
      .filter((r) => r.receipt.session === s.session)
      .sort((a, b) => a.receipt.seq - b.receipt.seq);
    if (options.key !== undefined && s.key !== options.key) {
      for (const r of results)
        refuse(r, `sent in a session of another key (${s.key.slice(0, 12)}…) than the pinned one`);
      continue;
    }
    // Recompute the chain; a result whose rebuilt frame does not give its chain value breaks it.
    let head = chainStart(s.nonce);
    const chained: { result: ReceiptLog['results'][number]; chain: string }[] = [];
    let broken: string | null = null;
    for (const r of results) {
      if (broken) {
        refuse(r, broken);
        continue;
      }
      const payload = r.receipt.hasResult
        ? { ...r.receipt.frame.payload, result: r.result }
        : r.receipt.frame.payload;
      head = chainNext(head, { ...r.receipt.frame, payload } as Envelope);
      if (head !== r.receipt.chain) {
        broken = `receipt chain broken at seq ${r.receipt.seq}: the stored result or frame was altered`;
        refuse(r, broken);
        continue;
      }
      chained.push({ result: r, chain: head });
    }
    // The last position covered by a valid signature of this session's key.
    let covered = -1;
    for (const h of log.heads.filter((x) => x.session === s.session)) {
      if (!verifyEnvelope(h.frame, s.key)) continue;
      const at = chained.findIndex((c) => c.chain === h.frame.auth?.chain);
      covered = Math.max(covered, at);
    }
    chained.forEach((c, i) => {
      if (i > covered) refuse(c.result, 'not yet covered by a signed frame of the agent', true);
      else if (inScope(c.result))
        verdict.attributed.push({ task_id: c.result.task_id, agent: s.agent, key: s.key });
    });
  }
  for (const u of log.unproven ?? []) {
    verdict.unattributed.push({
      task_id: u.task_id,
      reason: `no receipt: reported by ${u.actor} without a key (${u.outcome}, agent ${u.agent})`,
    });
  }
  return verdict;
}
