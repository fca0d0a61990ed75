import { isKosError, type AnyEnvelope, type Envelope, type Receipt } from '@kos/protocol';
import * as app from '../../app/index.ts';
import type { TaskReport } from '../../app/index.ts';
import type { ChainRefusal } from './receipt-chain.ts';
import type { KlpPeer } from './peer.ts';

/** What an agent may send once its session is active; each handler answers the frame. */
export async function dispatch(s: KlpPeer, env: AnyEnvelope): Promise<void> {
  switch (env.type) {
    case 'TASK_RESULT':
      return result(s, env);
    case 'STATUS_UPDATE':
      return status(s, env);
    case 'heartbeat':
      return heartbeat(s, env);
    case 'rollback':
      return rollback(s, env);
    case 'handover':
      return handover(s, env);
    case 'disconnect':
      return disconnect(s, env);
    case 'snapshot':
      return snapshot(s, env);
    case 'CAPABILITY_QUERY':
      return capabilities(s, env);
    case 'pulse':
      s.pulses.offer(env);
      return;
    case 'ping':
      s.send('pong', {}, { context: { reply_to: env.id } });
      return;
    case 'pong':
      return; // it answered our ping: every frame received already counts (SilenceWatch.heard)
    default:
      s.sendError('KOS_ERR_BAD_FRAME', `agents do not send ${env.type}`, env.id);
  }
}

const ack = (s: KlpPeer, env: AnyEnvelope) => s.send('ack', { ok: true }, { context: { reply_to: env.id } });

/**
 * A result advances the receipt chain; its digest and chain value are kept with the task's
 * transition so the log can attribute it to the agent's key offline.
 */
async function result(s: KlpPeer, env: Envelope<'TASK_RESULT'>): Promise<void> {
  const linked = s.chain.result(env);
  if (!linked.ok) return refuse(s, env, linked);
  const p = env.payload;
  const report = { taskId: p.task_id, epoch: p.epoch, receipt: linked.receipt };
  try {
    await applyResult(s, p, report);
  } catch (err) {
    // The frame advanced the receipt chain even though the verb refused it: keep its receipt (and
    // the value it carried) so an offline audit can still rebuild the chain past it.
    if (isKosError(err)) await recordRefused(s, p, report.receipt, err.code);
    throw err;
  }
  ack(s, env);
}

type ResultPayload = Envelope<'TASK_RESULT'>['payload'];

async function applyResult(s: KlpPeer, p: ResultPayload, report: TaskReport): Promise<void> {
  switch (p.status) {
    case 'succeeded':
      await app.completeTask(s.deps, s.actor, { ...report, result: p.result ?? null });
      break;
    case 'failed': {
      const error = p.error ?? { message: 'the agent reported a failure' };
      await app.failTask(s.deps, s.actor, { ...report, error });
      break;
    }
    case 'declined':
    case 'delegated': {
      const to = p.status === 'delegated' ? p.to : undefined;
      await app.handOffTask(s.deps, s.actor, { ...report, action: p.status, reason: p.reason, to });
      break;
    }
  }
}

async function recordRefused(s: KlpPeer, p: ResultPayload, receipt: Receipt, code: string): Promise<void> {
  const task = await s.deps.store.read((tx) => tx.getTask(p.task_id)).catch(() => null);
  await s.record({
    kind: 'task.result_refused',
    goalId: task?.goalId ?? null,
    taskId: p.task_id,
    agentId: s.agentId,
    data: {
      code,
      status: p.status,
      epoch: p.epoch,
      receipt,
      result: 'result' in p ? (p.result ?? null) : null,
    },
  });
}

async function status(s: KlpPeer, env: Envelope<'STATUS_UPDATE'>): Promise<void> {
  await reportProgress(s, env.payload);
}

/**
 * A pulse the session's throttle lets through: progress as STATUS_UPDATE reports it (fenced by
 * epoch, marks the task running, renews its lease), without a checkpoint. `message` is not stored.
 */
export async function writePulse(s: KlpPeer, env: Envelope<'pulse'>): Promise<void> {
  await reportProgress(s, env.payload);
}

async function reportProgress(
  s: KlpPeer,
  p: { task_id: string; epoch: number; progress: number; checkpoint?: unknown },
): Promise<void> {
  await app.reportProgress(s.deps, s.actor, {
    taskId: p.task_id,
    epoch: p.epoch,
    progress: p.progress,
    ...(p.checkpoint === undefined ? {} : { checkpoint: p.checkpoint }),
  });
}

/** A signed frame must verify and sign the current receipt head; it then covers every result before it. */
function signedHead(s: KlpPeer, env: AnyEnvelope): boolean {
  if (!s.identity) return false;
  const signed = s.chain.signed(env, s.identity);
  if (!signed.ok) {
    refuse(s, env, signed);
    return false;
  }
  if (signed.covered > 0) {
    void s.record({
      kind: 'klp.receipts',
      agentId: s.agentId,
      data: { session: s.id, covered: signed.covered, head: s.chain.head, frame: env },
    });
  }
  return true;
}

/** A frame that does not fit the receipt chain is forged: alert, and close the session. */
function refuse(s: KlpPeer, env: AnyEnvelope, r: ChainRefusal): void {
  s.alert(r.code, r.message, env);
  s.close(4401, r.code === 'KOS_ERR_BAD_SIGNATURE' ? 'bad signature' : 'receipt chain mismatch');
}

async function heartbeat(s: KlpPeer, env: Envelope<'heartbeat'>): Promise<void> {
  if (!signedHead(s, env)) return;
  const inFlight = env.payload.in_flight.map((f) => ({ taskId: f.task_id, epoch: f.epoch }));
  const { unknown } = await app.heartbeat(s.deps, s.actor, { inFlight });
  for (const u of unknown) {
    s.send(
      'rollback',
      { task_id: u.taskId, epoch: u.epoch, reason: 'not leased to this agent any more' },
      { task_id: u.taskId },
    );
  }
}

/** The agent gives a task back, or, for a task being cancelled, acknowledges that it stopped. */
async function rollback(s: KlpPeer, env: Envelope<'rollback'>): Promise<void> {
  const p = env.payload;
  await app.returnTask(s.deps, s.actor, { taskId: p.task_id, epoch: p.epoch });
  ack(s, env);
}

async function handover(s: KlpPeer, env: Envelope<'handover'>): Promise<void> {
  await app.drainAgent(s.deps, s.actor, { mode: env.payload.mode });
  ack(s, env);
}

async function disconnect(s: KlpPeer, env: Envelope<'disconnect'>): Promise<void> {
  if (!signedHead(s, env)) return;
  await app.unregisterAgent(s.deps, s.actor, {});
  ack(s, env);
  s.close(1000, 'disconnected');
}

async function snapshot(s: KlpPeer, env: Envelope<'snapshot'>): Promise<void> {
  const { agent, leases } = await app.getAgent(s.deps, s.agentId);
  s.send(
    'snapshot',
    {
      agent_id: s.agentId,
      state: agent.state,
      leases: leases.map((t) => ({ task_id: t.id, epoch: t.epoch, deadline: t.leaseExpiresAt ?? 0 })),
    },
    { context: { reply_to: env.id } },
  );
}

async function capabilities(s: KlpPeer, env: Envelope<'CAPABILITY_QUERY'>): Promise<void> {
  const wanted = 'skills' in env.payload ? env.payload.skills : undefined;
  const capable = await app.findCapable(s.deps, wanted);
  s.send(
    'CAPABILITY_QUERY',
    {
      agents: capable.map(({ agent: a, freeSlots }) => ({
        name: a.name,
        skills: a.skills,
        state: a.state,
        free_slots: freeSlots,
      })),
    },
    { context: { reply_to: env.id } },
  );
}
