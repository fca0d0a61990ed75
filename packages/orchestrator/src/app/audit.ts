import type { Envelope, Receipt, ReceiptLog } from '@kos/protocol';
import type { EventFilter, ReadTx } from '../store/backend.ts';
import type { EventRecord } from '../store/records.ts';
import type { Core } from './core.ts';

const MAX_EVENTS = 100_000;
const RESULT_KINDS = ['task.state', 'task.result_refused'] as const;

/**
 * The receipt log of results (per goal or agent, or all), for `kos audit verify` to check offline
 * with the agents' public keys (protocol receipts.ts).
 */
export function receiptLog(
  core: Core,
  filter: { goalId?: string | undefined; agentId?: string | undefined },
): Promise<ReceiptLog> {
  return core.store.read((tx) => receiptLogIn(tx, filter));
}

/** Which events to list: the store's own filter (by goal, task, agent, kinds, after a seq). */
export type EventQuery = EventFilter;

/** The event log in seq order; `next` is the seq to continue after, null on a short page. */
export async function listEvents(
  core: Core,
  q: EventQuery,
): Promise<{ events: EventRecord[]; next: number | null }> {
  const events = await core.store.read((tx) => tx.listEvents(q));
  return { events, next: events.length === q.limit ? (events.at(-1)?.seq ?? null) : null };
}

/**
 * The results in scope, with the whole chain of each session that carried one: a session's chain
 * runs across goals, so verifying one goal's results needs the other links too (marked out of
 * scope). Results reported without a receipt are listed as unproven, with who reported them.
 */
async function receiptLogIn(
  tx: ReadTx,
  filter: { goalId?: string | undefined; agentId?: string | undefined },
): Promise<ReceiptLog> {
  const scoped = await tx.listEvents({ ...filter, kinds: [...RESULT_KINDS], limit: MAX_EVENTS });
  const inScope = new Set(scoped.map((e) => e.seq));
  const sessionOf = (e: EventRecord): string | null =>
    e.taskId !== null && e.data.receipt !== undefined ? (e.data.receipt as Receipt).session : null;
  const wanted = new Set(scoped.map(sessionOf).filter((s): s is string => s !== null));
  const agents = [...new Set(scoped.filter((e) => sessionOf(e) !== null).map((e) => e.agentId))].filter(
    (a): a is string => a !== null,
  );
  const names = new Map<string, string>();
  const nameOf = async (id: string | null): Promise<string> => {
    if (id === null) return '';
    if (!names.has(id)) names.set(id, (await tx.getAgent(id))?.name ?? id);
    return names.get(id)!;
  };

  const chained: EventRecord[] = [];
  const sessions: ReceiptLog['sessions'] = [];
  const heads: ReceiptLog['heads'] = [];
  for (const agent of agents) {
    const name = await nameOf(agent);
    const events = await tx.listEvents({
      agentId: agent,
      kinds: [...RESULT_KINDS, 'klp.session', 'klp.receipts'],
      limit: MAX_EVENTS,
    });
    for (const e of events) {
      const result = sessionOf(e);
      if (result !== null) {
        if (wanted.has(result)) chained.push(e);
        continue;
      }
      const session = String(e.data.session);
      if (!wanted.has(session)) continue;
      if (e.kind === 'klp.session' && e.data.event === 'connected') {
        sessions.push({ session, agent: name, nonce: String(e.data.nonce), key: String(e.data.key) });
      } else if (e.kind === 'klp.receipts') {
        heads.push({ session, frame: e.data.frame as Envelope });
      }
    }
  }

  // A refused result keeps the value it carried in its event; an applied one is the task's.
  const tasks = new Map((await tx.getTasks(chained.map((e) => e.taskId!))).map((t) => [t.id, t]));
  const resultOf = (e: EventRecord): unknown =>
    e.kind === 'task.result_refused'
      ? e.data.result
      : e.data.to === 'succeeded'
        ? (tasks.get(e.taskId!)?.result ?? null)
        : null;
  const results = chained.map((e) => ({
    task_id: e.taskId!,
    result: resultOf(e),
    receipt: e.data.receipt as Receipt,
    in_scope: inScope.has(e.seq),
  }));

  const unproven: NonNullable<ReceiptLog['unproven']> = [];
  for (const e of scoped) {
    if (e.kind !== 'task.state' || e.data.unattested !== true || e.taskId === null) continue;
    unproven.push({
      task_id: e.taskId,
      agent: await nameOf(e.agentId),
      actor: e.actor,
      outcome: String(e.data.to),
      at: new Date(e.at).toISOString(),
    });
  }
  return { sessions, results, heads, unproven };
}
