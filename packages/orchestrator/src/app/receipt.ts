import { KosError, type Receipt } from '@kos/protocol';
import { fingerprint, verifyReceipts } from '@kos/protocol/node';
import type { EventRecord } from '../store/records.ts';
import { receiptLog } from './audit.ts';
import type { Core } from './core.ts';

/**
 * Whether the result a task holds is attributed to its agent's Ed25519 key:
 * - `verified`: its receipt is in the session's chain and covered by a frame the agent signed;
 * - `not_verifiable`: it came with a receipt that does not verify (yet): the chain is broken or
 *   no signed frame covers it so far (the next heartbeat does), `detail` says which;
 * - `unproven`: it was reported over REST, with a token and no key;
 * - `no_result`: no agent has reported on the task.
 */
export type ReceiptStatus = 'verified' | 'not_verifiable' | 'unproven' | 'no_result';

export interface TaskReceipt {
  taskId: string;
  status: ReceiptStatus;
  /** The agent that reported the result (null without one). */
  agentId: string | null;
  /** The fingerprint of the session's public key (`ed25519:…`), null without a receipt. */
  key: string | null;
  detail: string;
}

const MAX_REPORTS = 10_000;

/** A report an agent made on the task: a result, failure or hand-off, with a receipt or unattested. */
const isReport = (e: EventRecord): boolean => e.data.receipt !== undefined || e.data.unattested === true;

/**
 * The receipt verdict of the latest report on a task (the result it holds now), checked with
 * `verifyReceipts` over the whole chain of that report's session, as `kos audit verify` does.
 */
export async function taskReceipt(core: Core, taskId: string): Promise<TaskReceipt> {
  const { task, reports } = await core.store.read(async (tx) => ({
    task: await tx.getTask(taskId),
    reports: (await tx.listEvents({ taskId, kinds: ['task.state'], limit: MAX_REPORTS })).filter(isReport),
  }));
  if (!task) throw new KosError('KOS_ERR_TASK_NOT_FOUND', `no task has id ${taskId}`, { task_id: taskId });
  const last = reports.at(-1);
  const base = { taskId, agentId: last?.agentId ?? null, key: null };
  if (last === undefined) {
    return {
      ...base,
      status: 'no_result',
      detail: `no agent has reported on this task (it is ${task.state})`,
    };
  }
  const outcome = `${String(last.data.from)} → ${String(last.data.to)}, attempt ${String(last.data.attempt)}`;
  if (last.data.unattested === true) {
    return {
      ...base,
      status: 'unproven',
      detail: `reported over REST by ${last.actor} without a receipt (${outcome})`,
    };
  }
  const receipt = last.data.receipt as Receipt;
  const log = await receiptLog(core, { agentId: last.agentId ?? undefined });
  const mine = (r: (typeof log.results)[number]) =>
    r.task_id === taskId && r.receipt.session === receipt.session && r.receipt.seq === receipt.seq;
  const verdict = verifyReceipts({
    ...log,
    results: log.results.map((r) => ({ ...r, in_scope: mine(r) })),
    unproven: [],
  });
  const session = log.sessions.find((s) => s.session === receipt.session);
  const key = session === undefined ? null : safeFingerprint(session.key);
  const attributed = verdict.attributed.find((a) => a.task_id === taskId);
  if (attributed !== undefined) {
    return {
      ...base,
      key,
      status: 'verified',
      detail: `sent in KLP session ${receipt.session} (frame seq ${receipt.seq}) and covered by a frame signed with the agent's key (${outcome})`,
    };
  }
  const reason =
    verdict.unattributed.find((u) => u.task_id === taskId)?.reason ?? 'the receipt is not in the log';
  return { ...base, key, status: 'not_verifiable', detail: reason };
}

function safeFingerprint(publicKey: string): string | null {
  try {
    return fingerprint(publicKey);
  } catch {
    return null;
  }
}
