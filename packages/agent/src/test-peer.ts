// Test support (not exported): a scripted orchestrator end of KLP over a real WebSocket, which
// checks every agent frame the way the orchestrator must (seq, receipt chain, signatures).
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { decodeFrame, encodeFrame, envelope, ORCHESTRATOR_ADDRESS } from '@kos/protocol';
import { chainNext, chainStart, verifyEnvelope } from '@kos/protocol/node';
import type { AnyEnvelope, EnvelopeContext, MessageType, Payloads } from '@kos/protocol';
import type { Logger } from './logger.ts';
import { SIGNED_TYPES, advancesChain } from './sealer.ts';

const ACKED: ReadonlySet<MessageType> = new Set<MessageType>([
  'TASK_RESULT',
  'rollback',
  'handover',
  'disconnect',
]);

export interface PeerConnection {
  readonly index: number;
  readonly ws: WebSocket;
  readonly nonce: string;
  readonly frames: AnyEnvelope[];
  send<T extends MessageType>(type: T, payload: Payloads[T], context?: EnvelopeContext): AnyEnvelope;
  /** Replies `ack` to a frame. */
  ack(frame: AnyEnvelope): void;
  error(frame: AnyEnvelope, code: string, message: string): void;
  /** Never answers the frame (not even the default ack). */
  ignore(frame: AnyEnvelope): void;
}

export interface PeerOptions {
  /** Answer to a hello: a welcome payload, an error, or undefined to answer later by hand;
   * by default a welcome resuming everything. */
  onHello?(
    hello: Payloads['hello'],
    conn: PeerConnection,
  ): Payloads['welcome'] | { code: string; message: string } | undefined;
  /** Called for every agent frame after the handshake. Results, rollbacks, handovers and
   * disconnects it did not answer are then acknowledged. */
  onFrame?(frame: AnyEnvelope, conn: PeerConnection): void;
}

export class TestPeer {
  readonly connections: PeerConnection[] = [];
  /** Problems found in the agent's frames (bad seq, chain, signature); tests expect none. */
  readonly violations: string[] = [];
  private seq = 0;
  private readonly answered = new Set<string>();

  private constructor(
    private readonly server: WebSocketServer,
    private readonly options: PeerOptions,
  ) {
    server.on('connection', (ws) => this.accept(ws));
  }

  static async start(options: PeerOptions = {}): Promise<TestPeer> {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/klp' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new TestPeer(server, options);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/klp`;
  }

  /** Every agent frame of every connection, in order. */
  get frames(): AnyEnvelope[] {
    return this.connections.flatMap((c) => c.frames);
  }

  framesOf<T extends MessageType>(type: T): Extract<AnyEnvelope, { type: T }>[] {
    return this.frames.filter((f): f is Extract<AnyEnvelope, { type: T }> => f.type === type);
  }

  get last(): PeerConnection {
    const conn = this.connections.at(-1);
    if (!conn) throw new Error('no connection yet');
    return conn;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    const nonce = randomBytes(32).toString('base64url');
    let chain = chainStart(nonce);
    let lastSeq = 0;
    let publicKey: string | undefined;
    const frames: AnyEnvelope[] = [];
    const send = <T extends MessageType>(type: T, payload: Payloads[T], context?: EnvelopeContext) => {
      const env = envelope(type, {
        from: ORCHESTRATOR_ADDRESS,
        to: 'kai://agent.peer',
        seq: ++this.seq,
        payload,
        ...(context ? { context } : {}),
      });
      ws.send(encodeFrame(env));
      return env as AnyEnvelope;
    };
    const conn: PeerConnection = {
      index: this.connections.length,
      ws,
      nonce,
      frames,
      send,
      ack: (frame) => {
        this.answered.add(frame.id);
        send('ack', { ok: true }, { reply_to: frame.id });
      },
      error: (frame, code, message) => {
        this.answered.add(frame.id);
        send('error', { code, message }, { reply_to: frame.id });
      },
      ignore: (frame) => void this.answered.add(frame.id),
    };
    this.connections.push(conn);
    ws.on('message', (data) => {
      const decoded = decodeFrame(data, 16 * 1024 * 1024);
      if (!decoded.ok) {
        this.violations.push(`undecodable frame: ${decoded.message}`);
        return;
      }
      const env = decoded.envelope;
      frames.push(env);
      if (advancesChain(env.type)) chain = chainNext(chain, env);
      if (env.seq !== lastSeq + 1) this.violations.push(`${env.type}: seq ${env.seq} after ${lastSeq}`);
      lastSeq = env.seq;
      if (env.auth?.chain !== chain) this.violations.push(`${env.type} #${env.seq}: chain mismatch`);
      if (env.type === 'hello') publicKey = env.payload.public_key;
      if (SIGNED_TYPES.has(env.type) && (!publicKey || !verifyEnvelope(env, publicKey))) {
        this.violations.push(`${env.type} #${env.seq}: bad or missing signature`);
      }
      if (env.type === 'hello') {
        if (env.payload.nonce !== nonce) this.violations.push('hello: wrong nonce');
        const answer = this.options.onHello
          ? this.options.onHello(env.payload, conn)
          : {
              agent_id: 'agent-1',
              heartbeat_interval_ms: 60_000,
              lease_ttl_ms: 30_000,
              resumed: env.payload.in_flight.map((l) => l.task_id),
              abandon: [],
            };
        if (answer === undefined) return;
        if ('code' in answer) {
          conn.error(env, answer.code, answer.message);
          ws.close(4001, answer.code);
        } else {
          send('welcome', answer, { reply_to: env.id });
        }
        return;
      }
      this.options.onFrame?.(env, conn);
      // Acknowledged like the gateway does, unless the test's onFrame answered already.
      const answered = this.answered.has(env.id);
      if (!answered && ACKED.has(env.type)) conn.ack(env);
    });
    send('challenge', { nonce });
  }
}

/** A TASK_REQUEST payload with defaults. */
export function taskRequest(
  patch: Partial<Payloads['TASK_REQUEST']> & { task_id: string },
): Payloads['TASK_REQUEST'] {
  return {
    goal_id: 'g1',
    name: 'Collect',
    skills: ['collect'],
    input: { n: 1 },
    epoch: 1,
    attempt: 1,
    deadline: Date.now() + 30_000,
    checkpoint: null,
    ...patch,
  };
}

/** A logger that keeps every line, for assertions. */
export function memoryLogger(): Logger & {
  lines: { level: string; msg: string; fields: Record<string, unknown> }[];
} {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      void lines.push({ level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A promise with its resolve function outside, to hold a handler until the test says so. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
