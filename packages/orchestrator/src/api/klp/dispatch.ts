import { isKosError, receiptOf, type AnyEnvelope, type Envelope, type Receipt } from '@kos/protocol';
import { chainNext, verifyEnvelope } from '@kos/protocol/node';
import type { AgentCaller } from '../../registry/identity.ts';
import { LEASED_TASK_STATES } from '../../scheduler/task.ts';
import type { KlpSession } from './session.ts';

/** What an agent may send once its session is active; each handler answers the frame. */
export async function dispatch(s: KlpSession, env: AnyEnvelope): Promise<void> {
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

const ack = (s: KlpSession, env: AnyEnvelope) =>
  s.send('ack', { ok: true }, { context: { reply_to: env.id } });

/**
 * A result advances the receipt chain; its digest and chain value are kept with the task's
 * transition so the log can attribute it to the agent's key offline.
 */
async function result(s: KlpSession, env: Envelope<'TASK_RESULT'>): Promise<void> {
  const expected = chainNext(s.head, env);
  if (env.auth?.chain !== expected) {
    s.alert('KOS_ERR_CHAIN_MISMATCH', 'TASK_RESULT does not extend this session’s receipt chain', env);
    s.close(4401, 'receipt chain mismatch');
    return;
  }
  s.head = expected;
  s.unsignedResults++;
  const p = env.payload;
  const report = {
    ...s.caller,
    taskId: p.task_id,
    epoch: p.epoch,
    receipt: receiptOf(s.id, env, expected),
  };
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
type ResultReport = AgentCaller & { taskId: string; epoch: number; receipt: Receipt };

async function applyResult(s: KlpSession, p: ResultPayload, report: ResultReport): Promise<void> {
  switch (p.status) {
    case 'succeeded':
      await s.deps.store.completeTask(s.actor, { ...report, result: p.result ?? null });
      break;
    case 'failed': {
      const error = p.error ?? {
        code: 'agent_error',
        message: 'the agent reported a failure',
        retryable: true,
      };
      s.deps.revoked((await s.deps.store.failTask(s.actor, { ...report, error })).revoked);
      break;
    }
    case 'declined':
    case 'delegated': {
      const to = p.status === 'delegated' ? p.to : undefined;
      const handOff = { ...report, action: p.status, reason: p.reason, to };
      s.deps.revoked((await s.deps.store.handOff(s.actor, handOff)).revoked);
      break;
    }
  }
}

async function recordRefused(s: KlpSession, p: ResultPayload, receipt: Receipt, code: string): Promise<void> {
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

async function status(s: KlpSession, env: Envelope<'STATUS_UPDATE'>): Promise<void> {
  await reportProgress(s, env.payload);
}

/**
 * A pulse the session's throttle lets through: progress as STATUS_UPDATE reports it (fenced by
 * epoch, marks the task running, renews its lease), without a checkpoint. `message` is not stored.
 */
export async function writePulse(s: KlpSession, env: Envelope<'pulse'>): Promise<void> {
  await reportProgress(s, env.payload);
}

async function reportProgress(
  s: KlpSession,
  p: { task_id: string; epoch: number; progress: number; checkpoint?: unknown },
): Promise<void> {
  await s.deps.store.reportProgress(s.actor, {
    ...s.caller,
    taskId: p.task_id,
    epoch: p.epoch,
    progress: p.progress,
    ...(p.checkpoint === undefined ? {} : { checkpoint: p.checkpoint }),
  });
}

/** A signed frame must verify and sign the current receipt head; it then covers every result before it. */
function signedHead(s: KlpSession, env: AnyEnvelope): boolean {
  const identity = s.identity;
  if (!identity || env.auth?.kid !== identity.kid || !verifyEnvelope(env, identity.publicKey)) {
    s.alert('KOS_ERR_BAD_SIGNATURE', `${env.type} is not signed by the session’s key`, env);
    s.close(4401, 'bad signature');
    return false;
  }
  if (env.auth.chain !== s.head) {
    s.alert('KOS_ERR_CHAIN_MISMATCH', `${env.type} signs another receipt head than this session’s`, env);
    s.close(4401, 'receipt chain mismatch');
    return false;
  }
  if (s.unsignedResults > 0) {
    const covered = s.unsignedResults;
    s.unsignedResults = 0;
    void s.record({
      kind: 'klp.receipts',
      agentId: s.agentId,
      data: { session: s.id, covered, head: s.head, frame: env },
    });
  }
  return true;
}

async function heartbeat(s: KlpSession, env: Envelope<'heartbeat'>): Promise<void> {
  if (!signedHead(s, env)) return;
  const inFlight = env.payload.in_flight.map((f) => ({ taskId: f.task_id, epoch: f.epoch }));
  const { unknown } = await s.deps.store.heartbeat(s.actor, s.caller, inFlight);
  for (const u of unknown) {
    s.send(
      'rollback',
      { task_id: u.taskId, epoch: u.epoch, reason: 'not leased to this agent any more' },
      { task_id: u.taskId },
    );
  }
}

/** The agent gives a task back, or, for a task being cancelled, acknowledges that it stopped. */
async function rollback(s: KlpSession, env: Envelope<'rollback'>): Promise<void> {
  const p = env.payload;
  await s.deps.store.returnTask(s.actor, { ...s.caller, taskId: p.task_id, epoch: p.epoch });
  ack(s, env);
}

async function handover(s: KlpSession, env: Envelope<'handover'>): Promise<void> {
  await s.deps.store.drainAgent(s.actor, s.caller, env.payload.mode);
  ack(s, env);
}

async function disconnect(s: KlpSession, env: Envelope<'disconnect'>): Promise<void> {
  if (!signedHead(s, env)) return;
  await s.deps.store.unregisterAgent(s.actor, s.caller);
  ack(s, env);
  s.close(1000, 'disconnected');
}

async function snapshot(s: KlpSession, env: Envelope<'snapshot'>): Promise<void> {
  const { agent, leases } = await s.deps.store.read(async (tx) => ({
    agent: await tx.getAgent(s.agentId),
    leases: await tx.listTasks(
      { agentId: s.agentId, states: LEASED_TASK_STATES },
      { limit: Number.MAX_SAFE_INTEGER },
    ),
  }));
  s.send(
    'snapshot',
    {
      agent_id: s.agentId,
      state: agent?.state ?? 'unregistered',
      leases: leases.map((t) => ({ task_id: t.id, epoch: t.epoch, deadline: t.leaseExpiresAt ?? 0 })),
    },
    { context: { reply_to: env.id } },
  );
}

async function capabilities(s: KlpSession, env: Envelope<'CAPABILITY_QUERY'>): Promise<void> {
  const wanted = 'skills' in env.payload ? env.payload.skills : undefined;
  const { agents, loads } = await s.deps.store.read(async (tx) => ({
    agents: await tx.listAgents(['active', 'draining']),
    loads: await tx.countLeasesByAgent(),
  }));
  const matching = agents.filter((a) => !wanted || wanted.every((k) => a.skills.includes(k)));
  s.send(
    'CAPABILITY_QUERY',
    {
      agents: matching.map((a) => ({
        name: a.name,
        skills: a.skills,
        state: a.state,
        free_slots: a.state === 'active' ? Math.max(0, a.maxParallel - (loads.get(a.id) ?? 0)) : 0,
      })),
    },
    { context: { reply_to: env.id } },
  );
}
