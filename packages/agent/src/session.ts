import WebSocket from 'ws';
import { agentAddress, decodeFrame, encodeFrame, ORCHESTRATOR_ADDRESS } from '@kos/protocol';
import type { AnyEnvelope, Envelope, MessageType, Payloads } from '@kos/protocol';
import type { AgentKey } from '@kos/protocol/node';
import type { Logger } from './logger.ts';
import { isFatalHandshakeCode } from './remote-error.ts';
import { FrameSealer } from './sealer.ts';
import type { SealFields } from './sealer.ts';

/** The orchestrator's answer to a frame the SDK waits on. */
export type Reply =
  | { ok: true; envelope: AnyEnvelope }
  | { ok: false; reason: 'error'; code: string; message: string }
  | { ok: false; reason: 'closed'; message: string }
  | { ok: false; reason: 'timeout'; message: string };

/** Why a connection attempt failed; `fatal` ones are not retried. */
export class ConnectFailure extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly fatal: boolean,
  ) {
    super(message);
    this.name = 'ConnectFailure';
  }
}

export interface SessionHandlers {
  /** Called synchronously on `welcome`, before any later frame is dispatched. */
  onWelcome(session: Session, welcome: Payloads['welcome']): void;
  onFrame(env: AnyEnvelope): void;
  /** Called once when an established session ends (not for a failed handshake). */
  onClose(session: Session, info: { code: number; reason: string }): void;
}

export interface SessionOptions {
  url: string;
  key: AgentKey;
  name: string;
  skills: readonly string[];
  maxParallel: number;
  token: string | undefined;
  handshakeTimeoutMs: number;
  replyTimeoutMs: number;
  maxFrameBytes: number;
  /** Trusted CA certificate(s) for wss:// (AgentOptions.ca). */
  ca: string | Buffer | undefined;
  logger: Logger;
  /** The tasks held locally, read when the challenge arrives so the list is current. */
  inFlight(): { task_id: string; epoch: number }[];
  handlers: SessionHandlers;
}

type Phase = 'awaiting_challenge' | 'awaiting_welcome' | 'open' | 'closed';

/** Frames sent without waiting whose refusal still matters (status updates). The orchestrator
 * answers only refusals to them, so entries are evicted oldest first instead of timing out. */
const MAX_WATCHED = 1_000;

/** How long a goodbye may take before the socket is dropped anyway. */
const CLOSE_GRACE_MS = 2_000;

interface Pending {
  settle(reply: Reply): void;
  timer: NodeJS.Timeout;
}

/** One WebSocket connection to the orchestrator, from challenge to close. */
export class Session {
  private phase: Phase = 'awaiting_challenge';
  private sealer: FrameSealer | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly watched = new Map<string, (refusal: { code: string; message: string }) => void>();
  private closedPromise: Promise<void>;

  private constructor(
    readonly url: string,
    private readonly ws: WebSocket,
    private readonly options: SessionOptions,
  ) {
    this.closedPromise = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /** Connects and completes the handshake; resolves after `welcome` was handled. */
  static open(options: SessionOptions): Promise<Session> {
    const ws = new WebSocket(options.url, {
      maxPayload: options.maxFrameBytes,
      handshakeTimeout: options.handshakeTimeoutMs,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    });
    const session = new Session(options.url, ws, options);
    return session.handshake();
  }

  get isOpen(): boolean {
    return this.phase === 'open' && this.ws.readyState === WebSocket.OPEN;
  }

  /** Seals and writes a frame; undefined if the session is not open (the frame is not sent). */
  send<T extends MessageType>(
    type: T,
    payload: Payloads[T],
    fields: SealFields = {},
  ): Envelope<T> | undefined {
    if (!this.isOpen || !this.sealer) return undefined;
    return this.write(type, payload, fields);
  }

  /** Sends a frame and waits for the frame answering it (`context.reply_to`). */
  request<T extends MessageType>(
    type: T,
    payload: Payloads[T],
    fields: SealFields = {},
    timeoutMs: number = this.options.replyTimeoutMs,
  ): Promise<Reply> {
    const env = this.send(type, payload, fields);
    if (!env) return Promise.resolve({ ok: false, reason: 'closed', message: 'not connected' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(env.id);
        resolve({ ok: false, reason: 'timeout', message: `no answer to ${type} in ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending.set(env.id, { settle: resolve, timer });
    });
  }

  /** Sends a frame without waiting; `onRefusal` runs if the orchestrator answers it with
   * `error` or `SECURITY_ALERT`. */
  sendWatched<T extends MessageType>(
    type: T,
    payload: Payloads[T],
    fields: SealFields,
    onRefusal: (refusal: { code: string; message: string }) => void,
  ): Envelope<T> | undefined {
    const env = this.send(type, payload, fields);
    if (!env) return undefined;
    this.watched.set(env.id, onRefusal);
    if (this.watched.size > MAX_WATCHED) this.watched.delete(this.watched.keys().next().value!);
    return env;
  }

  /** Leaves cleanly (signed `disconnect`: the orchestrator revokes our leases at once) and waits
   * for the socket to close. */
  async close(reason: string): Promise<void> {
    if (this.phase === 'closed') return this.closedPromise;
    // Wait (briefly) for the orchestrator to acknowledge, so it has released our leases before
    // the socket goes; it closes the socket itself after the ack.
    await this.request('disconnect', { reason }, {}, CLOSE_GRACE_MS);
    this.ws.close(1000, reason.slice(0, 120));
    const timer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    await this.closedPromise;
    clearTimeout(timer);
  }

  /** Drops the connection without a goodbye (the orchestrator keeps our leases until they expire). */
  terminate(): void {
    this.ws.terminate();
  }

  private write<T extends MessageType>(type: T, payload: Payloads[T], fields: SealFields): Envelope<T> {
    const env = this.sealer!.seal(type, payload, fields);
    this.ws.send(encodeFrame(env));
    return env;
  }

  private handshake(): Promise<Session> {
    const { ws, options } = this;
    return new Promise<Session>((resolve, reject) => {
      let settled = false;
      const fail = (failure: ConnectFailure): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.phase = 'closed';
        ws.terminate();
        reject(failure);
      };
      const timer = setTimeout(
        () =>
          fail(new ConnectFailure(`no welcome within ${options.handshakeTimeoutMs} ms`, undefined, false)),
        options.handshakeTimeoutMs,
      );
      ws.on('error', (err) => {
        if (!settled)
          fail(new ConnectFailure(`cannot connect to ${this.url}: ${err.message}`, undefined, false));
        else options.logger.warn('connection error', { url: this.url, error: err.message });
      });
      ws.on('close', (code, reason) => {
        if (!settled) {
          fail(
            new ConnectFailure(
              `connection closed during the handshake (${code} ${reason.toString()})`,
              undefined,
              false,
            ),
          );
          return;
        }
        this.onClosed(code, reason.toString());
      });
      ws.on('message', (data) => {
        const decoded = decodeFrame(data, options.maxFrameBytes);
        if (!decoded.ok) {
          options.logger.warn('ignored a malformed frame from the orchestrator', {
            code: decoded.code,
            error: decoded.message,
          });
          return;
        }
        if (settled) {
          this.dispatch(decoded.envelope);
          return;
        }
        const env = decoded.envelope;
        const refusal = refusalOf(env);
        if (refusal) {
          fail(new ConnectFailure(refusal.message, refusal.code, isFatalHandshakeCode(refusal.code)));
        } else if (env.type === 'challenge' && this.phase === 'awaiting_challenge') {
          const { nonce } = env.payload;
          this.sealer = new FrameSealer(options.key, nonce, agentAddress(options.name), ORCHESTRATOR_ADDRESS);
          this.phase = 'awaiting_welcome';
          this.write(
            'hello',
            {
              name: options.name,
              public_key: options.key.publicKey,
              skills: [...options.skills],
              max_parallel: options.maxParallel,
              nonce,
              ...(options.token === undefined ? {} : { token: options.token }),
              in_flight: options.inFlight(),
            },
            {},
          );
        } else if (env.type === 'welcome' && this.phase === 'awaiting_welcome') {
          settled = true;
          clearTimeout(timer);
          this.phase = 'open';
          options.handlers.onWelcome(this, env.payload);
          resolve(this);
        } else {
          options.logger.debug('ignored a frame before welcome', { type: env.type });
        }
      });
    });
  }

  private dispatch(env: AnyEnvelope): void {
    if (this.phase !== 'open') return;
    const replyTo = typeof env.context?.reply_to === 'string' ? env.context.reply_to : undefined;
    const ref = env.type === 'SECURITY_ALERT' ? env.payload.ref : undefined;
    const watchedId = [replyTo, ref].find((id) => id !== undefined && this.watched.has(id));
    if (watchedId !== undefined) {
      const onRefusal = this.watched.get(watchedId)!;
      this.watched.delete(watchedId);
      const refusal = refusalOf(env);
      if (refusal) onRefusal(refusal);
      if (env.type !== 'SECURITY_ALERT') return;
    }
    const pendingId = [replyTo, ref].find((id) => id !== undefined && this.pending.has(id));
    if (pendingId !== undefined) {
      const pending = this.pending.get(pendingId)!;
      this.pending.delete(pendingId);
      clearTimeout(pending.timer);
      const refusal = refusalOf(env);
      pending.settle(refusal ? { ok: false, reason: 'error', ...refusal } : { ok: true, envelope: env });
      if (env.type !== 'SECURITY_ALERT') return;
    }
    if (env.type === 'ping') {
      this.send('pong', {}, { context: { reply_to: env.id } });
      return;
    }
    this.options.handlers.onFrame(env);
  }

  private onClosed(code: number, reason: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.settle({
        ok: false,
        reason: 'closed',
        message: `connection closed (${code}) before the answer to ${id}`,
      });
    }
    this.pending.clear();
    this.watched.clear();
    this.options.handlers.onClose(this, { code, reason });
  }
}

/** The code and message of an `error` or `SECURITY_ALERT` frame. */
function refusalOf(env: AnyEnvelope): { code: string; message: string } | undefined {
  if (env.type === 'error') return { code: env.payload.code, message: env.payload.message };
  if (env.type === 'SECURITY_ALERT') return { code: env.payload.code, message: env.payload.reason };
  return undefined;
}
