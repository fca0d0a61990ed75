// A forging agent process: it speaks KLP by hand (no SDK, like bench/src/fleet-process.ts), so it
// can do what a well-behaved agent never would. It connects honestly (token, signed hello), holds
// the leases it is pushed, proves its session is sound (a signed heartbeat, answered by a
// snapshot), then, on the runner's word, sends one forged frame:
// - `bad-signature`: a heartbeat signed by another key than the session's (KOS_ERR_BAD_SIGNATURE);
// - `broken-chain`: a TASK_RESULT claiming success that does not extend the session's receipt
//   chain (KOS_ERR_CHAIN_MISMATCH);
// - `identity`: a heartbeat, correctly signed, claiming another agent as its sender
//   (KOS_ERR_IDENTITY_MISMATCH).
// It then reconnects with its real key, to show the orchestrator lets it back or not.
//   argv: <ForgerConfig as JSON>
import WebSocket from 'ws';
import {
  agentAddress,
  decodeFrame,
  encodeFrame,
  envelope,
  ORCHESTRATOR_ADDRESS,
  type AnyEnvelope,
  type Envelope,
  type MessageType,
  type Payloads,
} from '@kos/protocol';
import { chainStart, generateKey, signEnvelope, type AgentKey } from '@kos/protocol/node';
import type { ForgerConfig, Forgery, FromForger, ToForger } from './forger.ts';

const config = JSON.parse(process.argv[2] ?? '') as ForgerConfig;
const send = (m: FromForger): void => void process.send?.(m);

/** One KLP session of one agent, by hand. */
class Session {
  private readonly frames: AnyEnvelope[] = [];
  private readonly waiters = new Set<{ match(e: AnyEnvelope): boolean; resolve(e: AnyEnvelope): void }>();
  private seq = 0;
  private head = '';
  private nonce = '';
  /** Leases pushed to it: task id → epoch. */
  readonly leases = new Map<string, number>();
  readonly closed: Promise<number>;

  private constructor(
    private readonly ws: WebSocket,
    private readonly name: string,
    private readonly key: AgentKey,
  ) {
    ws.on('message', (data) => {
      const d = decodeFrame(data as Buffer, 16 * 2 ** 20);
      if (!d.ok) return;
      const env = d.envelope;
      if (env.type === 'TASK_REQUEST') {
        this.leases.set(env.payload.task_id, env.payload.epoch);
        send({ kind: 'task', name, task: env.payload.task_id, epoch: env.payload.epoch, at: Date.now() });
      }
      for (const w of this.waiters) {
        if (!w.match(env)) continue;
        this.waiters.delete(w);
        w.resolve(env);
        return;
      }
      this.frames.push(env);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  static async open(name: string, key: AgentKey): Promise<Session> {
    const ws = new WebSocket(config.ws);
    const session = new Session(ws, name, key);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const challenge = (await session.next((e) => e.type === 'challenge')) as Envelope<'challenge'>;
    session.nonce = challenge.payload.nonce;
    session.head = chainStart(session.nonce);
    return session;
  }

  /** The first frame (received or coming) that matches; null after `ms`. */
  next(match: (e: AnyEnvelope) => boolean, ms = 10_000): Promise<AnyEnvelope | null> {
    const seen = this.frames.find(match);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => {
      const waiter = {
        match,
        resolve: (e: AnyEnvelope | null) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(null);
      }, ms);
      this.waiters.add(waiter);
    });
  }

  /** A frame as the SDK would build it: next seq, the session's chain head, signed if asked. */
  frame<T extends MessageType>(
    type: T,
    payload: Payloads[T],
    signed: boolean,
    from = this.name,
  ): Envelope<T> {
    const env = envelope(type, {
      from: agentAddress(from),
      to: ORCHESTRATOR_ADDRESS,
      seq: ++this.seq,
      payload,
    });
    const sealed = { ...env, auth: { kid: this.key.kid, chain: this.head } };
    return signed ? signEnvelope(sealed, this.key) : sealed;
  }

  write(env: Envelope): void {
    this.ws.send(encodeFrame(env));
  }

  /** The answer to a request: the frame replying to it, or an alert/error. */
  answer(env: Envelope): Promise<AnyEnvelope | null> {
    return this.next(
      (e) => e.context?.reply_to === env.id || e.type === 'SECURITY_ALERT' || e.type === 'error',
    );
  }

  async hello(skills: string[], token?: string): Promise<AnyEnvelope | null> {
    const hello = this.frame(
      'hello',
      {
        name: this.name,
        public_key: this.key.publicKey,
        skills,
        max_parallel: 1,
        nonce: this.nonce,
        in_flight: [],
        ...(token === undefined ? {} : { token }),
      },
      true,
    );
    this.write(hello);
    return this.answer(hello);
  }

  /** A signed heartbeat for its leases, then a snapshot: answered only if the heartbeat passed. */
  async provenSound(): Promise<string[] | null> {
    const inFlight = [...this.leases].map(([task_id, epoch]) => ({ task_id, epoch }));
    this.write(this.frame('heartbeat', { in_flight: inFlight }, true));
    const ask = this.frame('snapshot', {}, false);
    this.write(ask);
    const reply = await this.answer(ask);
    if (reply?.type !== 'snapshot' || !('leases' in reply.payload)) return null;
    return reply.payload.leases.map((l) => l.task_id);
  }

  forge(kind: Forgery): void {
    const inFlight = [...this.leases].map(([task_id, epoch]) => ({ task_id, epoch }));
    if (kind === 'bad-signature') {
      // Signed by an impostor's key, presented under the session's key id.
      const signed = signEnvelope(this.frame('heartbeat', { in_flight: inFlight }, false), generateKey());
      this.write({ ...signed, auth: { ...signed.auth, kid: this.key.kid } });
    } else if (kind === 'broken-chain') {
      const [task_id, epoch] = [...this.leases][0] ?? ['none', 0];
      const result = this.frame(
        'TASK_RESULT',
        { task_id, epoch, status: 'succeeded', result: { by: this.name, name: 'forged' } },
        false,
      );
      this.write({ ...result, auth: { kid: this.key.kid, chain: '0'.repeat(64) } });
    } else {
      this.write(this.frame('heartbeat', { in_flight: inFlight }, true, `${this.name}-impostor`));
    }
  }

  close(): void {
    this.ws.close();
  }
}

const keys = new Map<string, AgentKey>();
const sessions = new Map<string, Session>();

async function token(name: string): Promise<string> {
  const res = await fetch(`${config.http}/orchestration/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'agent', agent_name: name }),
  });
  if (res.status !== 201) throw new Error(`token for ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

const codeOf = (e: AnyEnvelope | null): string | null =>
  e?.type === 'error' || e?.type === 'SECURITY_ALERT' ? e.payload.code : null;

async function connect(name: string, skills: string[]): Promise<FromForger> {
  // The first connection binds the name to a fresh key (with a token); a reconnection reuses both.
  const first = !keys.has(name);
  const key = keys.get(name) ?? generateKey();
  keys.set(name, key);
  const session = await Session.open(name, key);
  sessions.set(name, session);
  const answer = await session.hello(skills, first ? await token(name) : undefined);
  const agentId = answer?.type === 'welcome' ? answer.payload.agent_id : null;
  return { kind: 'hello', name, agentId, code: codeOf(answer), at: Date.now() };
}

async function forge(name: string, kind: Forgery): Promise<FromForger> {
  const session = sessions.get(name);
  if (!session) throw new Error(`${name} is not connected`);
  const held = await session.provenSound();
  const sentAt = Date.now();
  session.forge(kind);
  const alert = await session.next((e) => e.type === 'SECURITY_ALERT');
  const closeCode = await Promise.race([session.closed, new Promise<null>((r) => setTimeout(r, 5000, null))]);
  return { kind: 'forged', name, held, sentAt, alert: codeOf(alert), closeCode };
}

process.on('message', (m: ToForger) => {
  const reply = (work: Promise<FromForger>): void =>
    void work.then(send, (err: unknown) =>
      send({ kind: 'failed', name: m.kind === 'stop' ? '' : m.name, error: String(err) }),
    );
  if (m.kind === 'connect') reply(connect(m.name, m.skills));
  else if (m.kind === 'forge') reply(forge(m.name, m.forgery));
  else {
    for (const s of sessions.values()) s.close();
    process.exit(0);
  }
});
send({ kind: 'ready' });
