import fc from 'fast-check';
import { agentAddress, type AnyEnvelope, MESSAGE_TYPES } from '@kos/protocol';
import { signEnvelope, type AgentKey } from '@kos/protocol/node';
import type { RawKlp } from '../klp-client.ts';

/** What a fuzzed frame needs of its session: the client, its key, and real task ids to name. */
export interface FrameContext {
  client: RawKlp;
  key: AgentKey;
  taskIds: readonly string[];
  maxBytes: number;
}

/** One malformed input, sent by `send`; `kind` names it in the counts. */
export interface FrameCase {
  kind: string;
  send(ctx: FrameContext): void;
}

const flip = (s: string) => (s.at(-1) === 'A' ? s.slice(0, -1) + 'B' : s.slice(0, -1) + 'A');

const signedHeartbeat = (ctx: FrameContext, extra: Partial<AnyEnvelope> = {}) =>
  signEnvelope(
    {
      ...ctx.client.build('heartbeat', { in_flight: [] }),
      ...extra,
      auth: { kid: ctx.key.kid, chain: ctx.client.head },
    } as AnyEnvelope,
    ctx.key,
  );

/** Malformed, truncated, oversize, replayed, reordered and wrongly signed frames, and lies. */
export const frameCase: fc.Arbitrary<FrameCase> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ({
    kind: 'random bytes',
    send: (ctx: FrameContext) => ctx.client.ws.send(Buffer.from(b)),
  })),
  fc
    .string({ maxLength: 100 })
    .map((t) => ({ kind: 'random text', send: (ctx: FrameContext) => ctx.client.sendRaw(t || ' ') })),
  fc.nat().map((cut) => ({
    kind: 'truncated frame',
    send: (ctx: FrameContext) => {
      const text = JSON.stringify(signedHeartbeat(ctx));
      ctx.client.sendRaw(text.slice(0, cut % text.length));
    },
  })),
  fc.constantFrom(1, 3).map((times) => ({
    kind: times === 1 ? 'oversize frame' : 'oversize frame beyond the socket limit',
    send: (ctx: FrameContext) =>
      ctx.client.sendRaw(
        JSON.stringify({ ...ctx.client.build('ping', {}), intent: 'x'.repeat(times * ctx.maxBytes) }),
      ),
  })),
  fc.constant({
    kind: 'replayed frame',
    send: (ctx: FrameContext) => {
      const env = signedHeartbeat(ctx);
      ctx.client.sendRaw(env);
      ctx.client.sendRaw(env);
    },
  }),
  fc.constant({
    kind: 'reordered frames',
    send: (ctx: FrameContext) => {
      const later = ctx.client.build('ping', {}, { seq: ctx.client.seq + 2 });
      const earlier = ctx.client.build('ping', {}, { seq: ctx.client.seq + 1 });
      ctx.client.seq += 2;
      ctx.client.sendRaw(later);
      ctx.client.sendRaw(earlier);
    },
  }),
  fc.constantFrom('signature', 'kid', 'chain').map((part) => ({
    kind: `wrongly signed frame (${part})`,
    send: (ctx: FrameContext) => {
      const env = signedHeartbeat(ctx) as AnyEnvelope & {
        auth: { kid: string; chain?: string; sig?: string };
      };
      const auth = { ...env.auth };
      if (part === 'signature') auth.sig = flip(auth.sig ?? '');
      if (part === 'kid') auth.kid = flip(auth.kid);
      if (part === 'chain') auth.chain = flip(auth.chain ?? '');
      ctx.client.sendRaw({ ...env, auth });
    },
  })),
  fc.tuple(fc.constantFrom(...MESSAGE_TYPES), fc.jsonValue({ maxDepth: 3 })).map(([type, payload]) => ({
    kind: 'schema-invalid payload',
    send: (ctx: FrameContext) => ctx.client.sendRaw({ ...ctx.client.build('ping', {}), type, payload }),
  })),
  fc
    .tuple(fc.nat(), fc.integer({ min: 0, max: 5 }), fc.constantFrom('succeeded', 'failed', 'declined'))
    .map(([i, epoch, status]) => ({
      kind: 'TASK_RESULT for a task it does not hold',
      send: (ctx: FrameContext) => {
        const taskId = ctx.taskIds[i % ctx.taskIds.length]!;
        const payload =
          status === 'succeeded'
            ? { task_id: taskId, epoch, status, result: 'forged' }
            : status === 'failed'
              ? { task_id: taskId, epoch, status, error: { code: 'E', message: 'x', retryable: true } }
              : { task_id: taskId, epoch, status, reason: 'no' };
        ctx.client.sendRaw({
          ...ctx.client.build('ping', {}),
          type: 'TASK_RESULT',
          task_id: taskId,
          payload,
          auth: { kid: ctx.key.kid, chain: ctx.client.head },
        });
      },
    })),
  fc.constant({
    kind: 'second hello',
    send: (ctx: FrameContext) =>
      ctx.client.send(
        'hello',
        {
          name: ctx.client.name,
          public_key: ctx.key.publicKey,
          skills: ['fz'],
          max_parallel: 1,
          nonce: ctx.client.nonce,
          in_flight: [],
        },
        ctx.key,
      ),
  }),
  fc.constant({
    kind: 'frame from another agent',
    send: (ctx: FrameContext) =>
      ctx.client.sendRaw(ctx.client.build('ping', {}, { from: agentAddress('someone-else') })),
  }),
);
