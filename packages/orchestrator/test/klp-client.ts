import WebSocket from 'ws';
import {
  agentAddress,
  decodeFrame,
  encodeFrame,
  envelope,
  ORCHESTRATOR_ADDRESS,
  type AnyEnvelope,
  type Envelope,
  type EnvelopeFields,
  type MessageType,
  type Payloads,
} from '@kos/protocol';
import { chainNext, chainStart, signEnvelope, type AgentKey } from '@kos/protocol/node';

/**
 * A raw KLP client for gateway tests: it speaks the wire protocol by hand (no SDK), so tests can
 * also send what a well-behaved agent never would — forged signatures, replays, broken chains.
 */
export class RawKlp {
  readonly frames: AnyEnvelope[] = [];
  private waiters: { match: (e: AnyEnvelope) => boolean; resolve: (e: AnyEnvelope) => void }[] = [];
  seq = 0;
  head = '';
  nonce = '';
  closed: Promise<{ code: number; reason: string }>;

  private constructor(
    readonly ws: WebSocket,
    readonly name: string,
  ) {
    ws.on('message', (data) => {
      const d = decodeFrame(data as Buffer, 10_000_000);
      if (!d.ok) throw new Error(`orchestrator sent an invalid frame: ${d.message}`);
      this.frames.push(d.envelope);
      for (const w of [...this.waiters]) {
        if (w.match(d.envelope)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(d.envelope);
        }
      }
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async connect(url: string, name: string): Promise<RawKlp> {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/klp');
    const client = new RawKlp(ws, name);
    const challenge = (await client.next((e) => e.type === 'challenge')) as Envelope<'challenge'>;
    client.nonce = challenge.payload.nonce;
    client.head = chainStart(client.nonce);
    return client;
  }

  /** Resolves with the first frame (already received or coming) that matches. */
  next(match: (e: AnyEnvelope) => boolean, timeoutMs = 10_000): Promise<AnyEnvelope> {
    const seen = this.frames.find(match);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(e), 1);
          resolve(e);
        },
      });
    });
  }

  replyTo(id: string): Promise<AnyEnvelope> {
    return this.next((e) => e.context?.reply_to === id);
  }

  build<T extends MessageType>(
    type: T,
    payload: Payloads[T],
    extra: Partial<EnvelopeFields<T>> = {},
  ): Envelope<T> {
    return envelope(type, {
      from: agentAddress(this.name),
      to: ORCHESTRATOR_ADDRESS,
      seq: ++this.seq,
      payload,
      ...extra,
    });
  }

  sendRaw(env: unknown): void {
    this.ws.send(typeof env === 'string' ? env : encodeFrame(env as Envelope));
  }

  /** Builds, chains (results advance the head), signs where the protocol says, and sends. */
  send<T extends MessageType>(
    type: T,
    payload: Payloads[T],
    key: AgentKey,
    extra: Partial<EnvelopeFields<T>> = {},
  ): Envelope<T> {
    let env = this.build(type, payload, extra);
    if (type === 'TASK_RESULT') {
      this.head = chainNext(this.head, env);
      env = { ...env, auth: { kid: key.kid, chain: this.head } };
    } else {
      env = { ...env, auth: { kid: key.kid, chain: this.head } };
    }
    if (type === 'hello' || type === 'heartbeat' || type === 'disconnect') env = signEnvelope(env, key);
    this.sendRaw(env);
    return env;
  }

  async hello(key: AgentKey, skills: string[], token?: string, maxParallel = 5): Promise<AnyEnvelope> {
    const env = this.send(
      'hello',
      {
        name: this.name,
        public_key: key.publicKey,
        skills,
        max_parallel: maxParallel,
        nonce: this.nonce,
        in_flight: [],
        ...(token === undefined ? {} : { token }),
      },
      key,
    );
    return this.next(
      (e) => e.context?.reply_to === env.id || e.type === 'SECURITY_ALERT' || e.type === 'error',
    );
  }

  /** Answers every ping of the orchestrator with a pong and a signed heartbeat (no leases listed),
   * as a live agent would; tests that send nothing for a while use it to stay connected. */
  keepAlive(key: AgentKey): void {
    this.ws.on('message', () => {
      for (const ping of this.frames.filter((f) => f.type === 'ping')) {
        this.frames.splice(this.frames.indexOf(ping), 1);
        this.send('pong', {}, key, { context: { reply_to: ping.id } });
        this.send('heartbeat', { in_flight: [] }, key);
      }
    });
  }

  close(): void {
    this.ws.close();
  }
}
