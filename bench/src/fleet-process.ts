// Simulated agents for the fleet workload: many light KLP clients in one process, each doing the
// handshake like the SDK (signed hello, receipt-chain head) and then, every second, a signed
// heartbeat followed by a `snapshot` request. A heartbeat has no answer, so its round trip is
// measured as heartbeat sent → answer to the snapshot sent right after it on the same socket.
//   argv: <ws url> <http url> <admin token> <name prefix> <clients>
import WebSocket from 'ws';
import { agentAddress, decodeFrame, encodeFrame, envelope, ORCHESTRATOR_ADDRESS } from '@kos/protocol';
import { chainStart, generateKey, signEnvelope } from '@kos/protocol/node';
import type { AnyEnvelope, MessageType, Payloads } from '@kos/protocol';
import type { AgentKey } from '@kos/protocol/node';
import { Http } from '@kos/testing';
import type { ChildMessage, ParentMessage } from './ipc.ts';

const [wsUrl, httpUrl, adminToken, prefix, count] = process.argv.slice(2);
if (!wsUrl || !httpUrl || !adminToken || !prefix || !count) {
  throw new Error('usage: fleet-process <ws url> <http url> <admin token> <prefix> <clients>');
}
const admin = new Http(httpUrl, adminToken);
const send = (m: ChildMessage) => process.send?.(m);
let rtts: number[] = [];
let errors = 0;
const timers: NodeJS.Timeout[] = [];
const sockets: WebSocket[] = [];

async function client(name: string): Promise<void> {
  const token = (
    await admin.post<{ token: string }>('/orchestration/tokens', { role: 'agent', agent_name: name })
  ).body.token;
  const key: AgentKey = generateKey();
  const ws = new WebSocket(wsUrl as string);
  sockets.push(ws);
  let seq = 0;
  let head = '';
  const pending = new Map<string, number>();
  const write = <T extends MessageType>(type: T, payload: Payloads[T], signed: boolean) => {
    const env = envelope(type, { from: agentAddress(name), to: ORCHESTRATOR_ADDRESS, seq: ++seq, payload });
    const sealed = { ...env, auth: { kid: key.kid, chain: head } };
    const out = signed ? signEnvelope(sealed, key) : sealed;
    ws.send(encodeFrame(out));
    return out;
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no welcome in 60 s`)), 60_000);
    ws.once('error', reject);
    ws.once('close', (code, reason) =>
      reject(new Error(`${name}: closed ${code} ${String(reason)} before welcome`)),
    );
    ws.on('message', (data) => {
      const decoded = decodeFrame(data as Buffer, 16 * 2 ** 20);
      if (!decoded.ok) return;
      const env: AnyEnvelope = decoded.envelope;
      if (env.type === 'challenge') {
        head = chainStart(env.payload.nonce);
        const hello = { name, public_key: key.publicKey, skills: ['fleet'], max_parallel: 1 };
        write('hello', { ...hello, nonce: env.payload.nonce, token, in_flight: [] }, true);
      } else if (env.type === 'welcome') {
        clearTimeout(timer);
        resolve();
      } else if (env.type === 'error' || env.type === 'SECURITY_ALERT') {
        errors++;
        if (seq === 1) reject(new Error(`${name} refused: ${JSON.stringify(env.payload)}`));
      }
      const replyTo = env.context?.reply_to;
      const sentAt = typeof replyTo === 'string' ? pending.get(replyTo) : undefined;
      if (sentAt !== undefined && typeof replyTo === 'string') {
        pending.delete(replyTo);
        rtts.push(performance.now() - sentAt);
      }
    });
  });
  const beat = () => {
    if (ws.readyState !== WebSocket.OPEN) return;
    const t = performance.now();
    write('heartbeat', { in_flight: [] }, true);
    pending.set(write('snapshot', {}, false).id, t);
  };
  // Spread the clients over the second, as independent agents would be.
  timers.push(setTimeout(() => timers.push(setInterval(beat, 1000)), Math.random() * 1000));
}

const n = Number(count);
for (let i = 0; i < n; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => client(`${prefix}-${i + j}`)));
}
process.on('message', (m: ParentMessage) => {
  if (m.kind === 'rtts') {
    send({ kind: 'rtts', values: rtts, errors });
    rtts = [];
    errors = 0;
  } else if (m.kind === 'stop') {
    for (const t of timers) clearTimeout(t);
    for (const ws of sockets) ws.close();
    process.exit(0);
  }
});
send({ kind: 'ready' });
