import { randomBytes, randomUUID } from 'node:crypto';
import type { WebSocket, RawData } from 'ws';
import {
  ERROR_CODES,
  KosError,
  ORCHESTRATOR_ADDRESS,
  ReplayGuard,
  agentAddress,
  decodeFrame,
  encodeFrame,
  envelope,
  isKosError,
  type AnyEnvelope,
  type ErrorCode,
  type Envelope,
  type EnvelopeFields,
  type MessageType,
  type Payloads,
} from '@kos/protocol';
import { actorId, agentActor, heartbeat, quarantineAgent, SYSTEM, type Actor } from '../../app/index.ts';
import { leaseSkills } from '../../scheduler/fallback.ts';
import { LEASED_TASK_STATES, type Task } from '../../scheduler/task.ts';
import type { NewEvent } from '../../store/records.ts';
import { dispatch, writePulse } from './dispatch.ts';
import { verifyHello, type Identity } from './handshake.ts';
import { PulseThrottle } from './pulses.ts';
import { ReceiptChain } from './receipt-chain.ts';
import type { GatewayDeps, KlpPeer, LinkedSession } from './peer.ts';
import { FrameBackpressure } from './backpressure.ts';
import { SilenceWatch } from './silence.ts';
import { refuseAtLimit, type GatedSocket, type SocketGate } from './socket-gate.ts';

/** These refusals are plain errors (bad input, not a forgery); every other handshake refusal is a security alert. */
const NOT_ALERTS = new Set([
  'KOS_ERR_UNAUTHENTICATED',
  'KOS_ERR_AGENT_MISMATCH',
  'KOS_ERR_AGENT_NOT_ACTIVE',
  'KOS_ERR_LIMIT_EXCEEDED',
  'KOS_ERR_VALIDATION',
]);

/**
 * Alerts that mean a forged frame on an authenticated session: its agent is quarantined at once.
 * A replay is not among them (a benign retransmission looks the same), nor a refused hello: the
 * session is not bound to the agent yet, and an impostor must not get the real agent quarantined.
 */
const FORGED = new Set(['KOS_ERR_BAD_SIGNATURE', 'KOS_ERR_CHAIN_MISMATCH', 'KOS_ERR_IDENTITY_MISMATCH']);

/**
 * One agent connection. Phases: `handshake` (only a hello is accepted) → `verifying` → `active` →
 * `closed`. Every frame is decoded and replay-checked synchronously on arrival, before any
 * await, so a refused frame changes nothing; store work then runs concurrently (and is group
 * committed).
 */
export class KlpSession implements KlpPeer, LinkedSession, GatedSocket {
  readonly id = randomUUID();
  private phase: 'handshake' | 'verifying' | 'active' | 'closed' = 'handshake';
  private readonly nonce = randomBytes(32).toString('base64url');
  private readonly guard: ReplayGuard;
  private seqOut = 0;
  /** Advanced by each TASK_RESULT, signed by hello, heartbeats and disconnect. */
  readonly chain: ReceiptChain;
  identity: Identity | null = null;
  get provenKey(): string | undefined {
    return this.identity?.publicKey;
  }
  readonly pulses: PulseThrottle;
  /** Pings the agent when it falls silent, once the session is active. */
  private readonly silence: SilenceWatch;
  private readonly backpressure: FrameBackpressure;
  /** Closes the socket if no hello succeeded within limits.handshake_timeout_ms. */
  private readonly handshakeTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    readonly deps: GatewayDeps,
    private readonly gate: SocketGate,
  ) {
    this.chain = new ReceiptChain(this.id, this.nonce);
    this.guard = new ReplayGuard({ windowMs: 60_000 });
    const { pingAfterMs, pongTimeoutMs, pulseWriteIntervalMs } = deps.config.klp;
    this.silence = new SilenceWatch({
      pingAfterMs,
      pongTimeoutMs,
      ping: () => this.send('ping', {}),
      lost: (silentMs) => this.lost(silentMs),
    });
    this.pulses = new PulseThrottle(pulseWriteIntervalMs, (env) => {
      writePulse(this, env).catch((err: unknown) => {
        this.pulses.refused(env);
        this.failed(err, env);
      });
    });
    socket.on('message', (data) => this.receive(data));
    socket.on('close', () => this.onClose());
    socket.on('error', (err) => deps.log.warn({ err, session: this.id }, 'klp socket error'));
    const { handshakeTimeoutMs, maxFramesInFlight } = deps.config.limits;
    this.backpressure = new FrameBackpressure(maxFramesInFlight, socket, () =>
      deps.metrics.limitRefused('klp_backpressure'),
    );
    this.handshakeTimer = setTimeout(() => {
      if (this.phase !== 'handshake' && this.phase !== 'verifying') return;
      refuseAtLimit(this, 'klp_handshake_timeout');
    }, handshakeTimeoutMs).unref();
    this.send('challenge', { nonce: this.nonce });
  }

  get agentId(): string {
    return this.identity?.agent.id ?? '';
  }

  /** The agent this session acts as, with the key its hello proved. */
  get actor(): Actor {
    return agentActor({ agentId: this.agentId, provenKey: this.identity?.publicKey });
  }

  private receive(data: RawData): void {
    if (this.phase === 'closed') return;
    this.silence.heard();
    const decoded = decodeFrame(
      data as Buffer | Buffer[] | ArrayBuffer,
      this.deps.config.limits.maxBodyBytes,
    );
    if (!decoded.ok) {
      this.deps.metrics.klpFrame('invalid');
      this.sendError(decoded.code, decoded.message, decoded.id);
      return;
    }
    const env = decoded.envelope;
    this.deps.metrics.klpFrame(env.type);
    if (this.phase === 'handshake' && env.type !== 'hello') {
      this.alert('KOS_ERR_HANDSHAKE_REQUIRED', `${env.type} before hello: say hello first`, env);
      this.close(4401, 'handshake required');
      return;
    }
    if (this.phase === 'verifying' || (this.phase === 'active' && env.type === 'hello')) {
      this.sendError('KOS_ERR_BAD_FRAME', 'one hello per session', env.id);
      return;
    }
    const verdict = this.guard.check(env, Date.now());
    if (!verdict.ok) {
      this.alert(verdict.code, verdict.reason, env);
      return;
    }
    if (env.type === 'hello') {
      void this.hello(env);
      return;
    }
    if (env.from !== agentAddress(this.identity?.agent.name ?? '')) {
      this.alert(
        'KOS_ERR_IDENTITY_MISMATCH',
        `frame from ${env.from} on the session of ${this.identity?.agent.name}`,
        env,
      );
      this.close(4401, 'forged identity');
      return;
    }
    this.backpressure.track(dispatch(this, env)).catch((err: unknown) => this.failed(err, env));
  }

  private async hello(env: Envelope<'hello'>): Promise<void> {
    this.phase = 'verifying';
    try {
      const identity = await verifyHello(this.deps, env, this.nonce, this.chain.head);
      if (this.socket.readyState !== this.socket.OPEN) return;
      clearTimeout(this.handshakeTimer);
      if (!this.gate.authenticated(this)) {
        refuseAtLimit(this, 'klp_sessions_full');
        return;
      }
      this.identity = identity;
      const { resumed, abandon, unsent, cancelling } = await this.resume(env.payload.in_flight);
      this.phase = 'active';
      this.silence.start();
      this.deps.sessions.attach(identity.agent.id, this);
      this.send(
        'welcome',
        {
          agent_id: identity.agent.id,
          heartbeat_interval_ms: Math.max(100, Math.floor(this.deps.config.heartbeat.ttlMs / 3)),
          lease_ttl_ms: this.deps.config.leases.ttlMs,
          resumed,
          abandon,
        },
        { context: { reply_to: env.id } },
      );
      for (const task of unsent) await this.pushTask(task);
      // A cancel told while the agent was away (or lost with the old socket) is told again.
      for (const task of cancelling) this.sendRollback(task, 'task cancelled', task.leaseExpiresAt);
      await this.record({
        kind: 'klp.session',
        agentId: identity.agent.id,
        data: {
          session: this.id,
          event: 'connected',
          nonce: this.nonce,
          kid: identity.kid,
          key: identity.publicKey,
        },
      });
      this.deps.log.info(
        { agent: identity.agent.name, session: this.id, resumed: resumed.length },
        'klp agent connected',
      );
    } catch (err) {
      const e = isKosError(err)
        ? err
        : new KosError('KOS_ERR_INTERNAL', 'hello failed; see the orchestrator log');
      if (!isKosError(err)) this.deps.log.error({ err }, 'klp hello failed');
      if (NOT_ALERTS.has(e.code) || e.code === 'KOS_ERR_INTERNAL') this.sendError(e.code, e.message, env.id);
      else this.alert(e.code, e.message, env, env.payload.name);
      this.close(4403, e.code);
    }
  }

  /** Tasks the agent still runs keep going if their lease is current; it must drop the others. */
  private async resume(inFlight: readonly { task_id: string; epoch: number }[]) {
    const listed = inFlight.map((f) => ({ taskId: f.task_id, epoch: f.epoch }));
    const { leases, unknown } = await heartbeat(this.deps, this.actor, { inFlight: listed });
    const resumedIds = new Set(leases.map((t) => t.id));
    const held = await this.deps.store.read((tx) =>
      tx.listTasks({ agentId: this.agentId, states: LEASED_TASK_STATES }, { limit: Number.MAX_SAFE_INTEGER }),
    );
    return {
      resumed: [...resumedIds],
      abandon: unknown.map((u) => u.taskId),
      unsent: held.filter((t) => !resumedIds.has(t.id) && t.state !== 'cancelling'),
      cancelling: held.filter((t) => t.state === 'cancelling'),
    };
  }

  /** Pushes a lease, with the results of the task's dependencies (data flows along the DAG). */
  sendTaskRequest(task: Task): void {
    this.pushTask(task).catch((err: unknown) =>
      this.deps.log.error({ err, task_id: task.id }, 'lease not pushed'),
    );
  }

  private async pushTask(task: Task): Promise<void> {
    const upstream =
      task.dependsOn.length === 0
        ? undefined
        : Object.fromEntries(
            (await this.deps.store.read((tx) => tx.getTasks(task.dependsOn))).map((d) => [d.name, d.result]),
          );
    this.send(
      'TASK_REQUEST',
      {
        task_id: task.id,
        goal_id: task.goalId,
        name: task.name,
        skills: leaseSkills(task, this.identity?.agent.skills ?? []),
        input: task.input,
        epoch: task.epoch,
        attempt: task.attempts,
        deadline: task.leaseExpiresAt ?? 0,
        checkpoint: task.checkpoint ?? null,
        ...(upstream === undefined ? {} : { upstream }),
      },
      { task_id: task.id, priority: task.priority },
    );
  }

  /** Tells the agent to stop a task; with `ackBy` (a cancel), to acknowledge by then. */
  sendRollback(task: Pick<Task, 'id' | 'epoch'>, reason: string, ackBy: number | null = null): void {
    const payload = { task_id: task.id, epoch: task.epoch, reason };
    this.send('rollback', ackBy === null ? payload : { ...payload, ack_by: ackBy }, { task_id: task.id });
  }

  send<T extends MessageType>(
    type: T,
    payload: Payloads[T],
    extra: Pick<EnvelopeFields<T>, 'context' | 'task_id' | 'priority'> = {},
  ): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    const to = this.identity ? agentAddress(this.identity.agent.name) : 'kai://agent';
    const env = envelope(type, { from: ORCHESTRATOR_ADDRESS, to, seq: ++this.seqOut, payload, ...extra });
    this.socket.send(encodeFrame(env));
  }

  /** Refuses a frame: told to the agent and counted with the HTTP refusals, by code. */
  sendError(code: string, message: string, replyTo?: string): void {
    this.countRejected(code);
    this.send('error', { code, message }, replyTo === undefined ? {} : { context: { reply_to: replyTo } });
  }

  /** Refuses a frame as a security alert: told to the agent, counted, and logged as an event. */
  alert(code: string, reason: string, env?: AnyEnvelope, name?: string): void {
    this.deps.metrics.securityAlert(code);
    this.countRejected(code);
    this.deps.log.warn(
      { code, reason, session: this.id, agent: this.identity?.agent.name ?? name },
      'klp security alert',
    );
    this.send('SECURITY_ALERT', { code, reason, ...(env ? { ref: env.id } : {}) });
    void this.record({
      kind: 'security.alert',
      agentId: this.identity?.agent.id ?? null,
      data: {
        code,
        reason,
        session: this.id,
        frame: env?.id ?? null,
        type: env?.type ?? null,
        name: name ?? null,
      },
    });
    if (this.phase === 'active' && this.identity && FORGED.has(code)) this.quarantineForger(code, reason);
  }

  /** The agent bound to this session sent a forged frame: isolated, its leases revoked. */
  private quarantineForger(code: string, reason: string): void {
    const agentId = this.agentId;
    quarantineAgent(this.deps, SYSTEM, {
      agentId,
      reason: `forged frame (${code}): ${reason}`,
      trigger: 'forged_frame',
    }).catch((err: unknown) =>
      this.deps.log.error({ err, agent_id: agentId }, 'could not quarantine the agent of a forged frame'),
    );
  }

  private countRejected(code: string): void {
    if (code in ERROR_CODES) this.deps.metrics.rejected(code as ErrorCode);
  }

  async record(
    e: Omit<NewEvent, 'at' | 'actor' | 'goalId' | 'taskId' | 'agentId'> & Partial<NewEvent>,
  ): Promise<void> {
    const event: NewEvent = {
      at: Date.now(),
      actor: this.identity ? actorId(this.actor) : 'klp',
      goalId: null,
      taskId: null,
      agentId: null,
      ...e,
    };
    await this.deps.store
      .record([event])
      .catch((err: unknown) => this.deps.log.error({ err }, 'klp event not recorded'));
  }

  private failed(err: unknown, env: AnyEnvelope): void {
    if (isKosError(err)) {
      this.sendError(err.code, err.message, env.id);
      return;
    }
    this.deps.log.error({ err, type: env.type }, 'klp frame failed');
    this.sendError('KOS_ERR_INTERNAL', 'internal error; see the orchestrator log', env.id);
  }

  close(code: number, reason: string): void {
    if (this.phase === 'closed') return;
    this.ended();
    this.socket.close(code, reason.slice(0, 120));
  }

  /**
   * Nothing answered a ping: the session is closed. Its agent's presence and leases are not
   * touched here: they expire as for any agent that went silent (heartbeat.ttl_ms, the lease TTL).
   */
  private lost(silentMs: number): void {
    const { pongTimeoutMs } = this.deps.config.klp;
    this.deps.log.warn(
      { agent: this.identity?.agent.name, session: this.id, silent_ms: Math.round(silentMs) },
      'klp session lost: no answer to ping',
    );
    this.close(4408, `no answer to ping within ${pongTimeoutMs} ms`);
    // A peer that vanished never completes the closing handshake: drop the socket after as long.
    setTimeout(() => this.socket.terminate(), pongTimeoutMs).unref();
  }

  /** Dropped to make room for a newer unauthenticated socket (klp/socket-gate.ts). */
  evict(): void {
    refuseAtLimit(this, 'klp_unauthenticated_evicted');
  }

  private ended(): void {
    clearTimeout(this.handshakeTimer);
    this.gate.closed(this);
    this.phase = 'closed';
    this.silence.stop();
    this.pulses.clear();
  }

  private onClose(): void {
    this.ended();
    if (this.identity) {
      this.deps.sessions.detach(this.identity.agent.id, this);
      this.deps.log.info({ agent: this.identity.agent.name, session: this.id }, 'klp agent disconnected');
    }
  }
}
