import { AgentCard, A2A_VERSION_HEADER } from '@a2a-js/sdk';
import { JsonRpcTransportHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import { KosError, type ErrorCode } from '@kos/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { systemLookup } from '../../app/index.ts';
import { hashToken, parseBearer, requirePermission } from '../../security/index.ts';
import type { ApiDeps } from '../deps.ts';
import { toKosError } from '../errors.ts';
import { agentCard } from './card.ts';
import { jsonRpcErrorOf, withKosCode, type JsonRpcErrorObject } from './errors.ts';
import { A2aCaller, CALL_ENDED, KOS_ERROR, KosA2aHandler } from './handler.ts';
import { PushDispatcher } from './push-dispatch.ts';
import { DEFAULT_PUSH_OPTIONS, PushSender } from './push-sender.ts';

type RpcId = string | number | null;
interface RpcAnswer {
  jsonrpc: string;
  id: RpcId;
  result?: unknown;
  error?: unknown;
}

/** JSON-RPC's "invalid request": the body is JSON but not one JSON-RPC request. */
const INVALID_REQUEST = -32600;
/** v1.0 method names (PascalCase); a request without an A2A-Version header is routed by its method. */
const V1_METHOD = /^[A-Z][A-Za-z]+$/;

/**
 * The A2A server (docs/interop.md#a2a): the Agent Card at `/.well-known/agent-card.json` (public,
 * as discovery needs) and JSON-RPC at `POST /a2a` (bearer token). The route reads the body within
 * limits.max_body_bytes, parses it (a parse error is -32700), authenticates, and hands the request
 * to the SDK's JSON-RPC transport: the v1.0 one (`SendMessage`, …; what the SDK's client speaks),
 * or the v0.3 compat one (`message/send`, `tasks/get`, …) for a v0.3 request. Both call one
 * handler (handler.ts). Every error answered carries its `KOS_ERR_*` code (errors.ts). No REST
 * binding: the SDK's REST transport is an Express router only. Not in /openapi.json.
 */
export function a2aRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const base = (req: FastifyRequest) =>
    `${req.protocol}://${req.headers.host ?? `${deps.config.server.host}:${deps.config.server.port}`}`;
  // The SDK's transports ask the handler for the card only for its capabilities; the URL a client
  // sees is the one GET /.well-known/agent-card.json builds from its request.
  const configured = `http://${deps.config.server.host}:${deps.config.server.port}`;
  const handler = new KosA2aHandler({ deps, card: () => agentCard(deps, configured), log: app.log });
  const v1 = new JsonRpcTransportHandler(handler);
  const v03 = new LegacyJsonRpcTransportHandler(handler);
  const maxBytes = deps.config.limits.maxBodyBytes;
  // Streams never end by themselves: a stopping server ends them (clients resubscribe elsewhere).
  const stopping = new AbortController();
  app.addHook('preClose', async () => stopping.abort());
  const allowlist = deps.config.a2a.pushAllowlist;
  if (allowlist.length > 0) {
    const sender = new PushSender({ ...DEFAULT_PUSH_OPTIONS, allowlist, lookup: systemLookup });
    const pushes = new PushDispatcher(deps, sender, app.log);
    app.addHook('onReady', () => pushes.start());
    app.addHook('preClose', () => pushes.close());
  }

  app.get('/.well-known/agent-card.json', { schema: { hide: true } }, async (req) =>
    AgentCard.toJSON(await agentCard(deps, base(req))),
  );

  void app.register(async (a2a) => {
    // The body reaches this route as text, so that a malformed one is answered as JSON-RPC.
    a2a.removeAllContentTypeParsers();
    a2a.addContentTypeParser('*', { parseAs: 'string', bodyLimit: maxBytes }, (_req, body, done) =>
      done(null, body),
    );
    // Refusals before the handler (oversize, wrong media type) are JSON-RPC errors too.
    a2a.setErrorHandler((err, _req, reply) => refuse(reply, null, toKosError(err), deps));
    a2a.post('/a2a', { schema: { hide: true } }, async (req, reply) => {
      if (!deps.accepting())
        return refuse(
          reply,
          null,
          new KosError('KOS_ERR_NOT_READY', 'the orchestrator is starting or stopping; retry shortly'),
          deps,
        );
      let body: unknown;
      try {
        body = JSON.parse(typeof req.body === 'string' ? req.body : '');
      } catch (e) {
        return refuse(
          reply,
          null,
          new KosError('KOS_ERR_BAD_JSON', `the body is not valid JSON: ${(e as Error).message}`),
          deps,
        );
      }
      const request = body as { id?: unknown; method?: unknown } | null;
      const id: RpcId =
        typeof request?.id === 'string' || typeof request?.id === 'number' ? request.id : null;
      if (typeof request !== 'object' || request === null || Array.isArray(request)) {
        const e = new KosError(
          'KOS_ERR_VALIDATION',
          'a JSON-RPC request must be one object (batches are not accepted)',
        );
        return refuse(reply, null, e, deps, INVALID_REQUEST);
      }
      if ((request as { jsonrpc?: unknown }).jsonrpc !== '2.0' || typeof request.method !== 'string') {
        const e = new KosError(
          'KOS_ERR_VALIDATION',
          'not a JSON-RPC 2.0 request: it needs "jsonrpc": "2.0" and a "method"',
        );
        return refuse(reply, id, e, deps, INVALID_REQUEST);
      }
      let caller: A2aCaller;
      try {
        caller = await authenticate(deps, req);
      } catch (e) {
        return refuse(reply, id, toKosError(e), deps);
      }
      const version = req.headers[A2A_VERSION_HEADER.toLowerCase()];
      const legacy =
        version === undefined
          ? !(typeof request.method === 'string' && V1_METHOD.test(request.method))
          : version === '0.3';
      const ctx = new ServerCallContext({ user: caller, requestedVersion: legacy ? '0.3' : '1.0' });
      // Ends a stream's (or a blocking send's) follow of its goal when the client goes away or the
      // server stops, even while it waits for an event.
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      ctx.state.set(CALL_ENDED, AbortSignal.any([gone.signal, stopping.signal]));
      const answer = await (legacy ? v03 : v1).handle(body as Record<string, unknown>, ctx);
      if (!isStream(answer))
        return reply.code(statusOf(ctx.state.get(KOS_ERROR))).send(typed(answer, ctx, deps));
      await stream(reply, answer, id, ctx, deps);
      return reply;
    });
  });
}

async function authenticate(deps: ApiDeps, req: FastifyRequest): Promise<A2aCaller> {
  const secret = parseBearer(req.headers.authorization);
  const token = secret === null ? null : await deps.auth.byHash(hashToken(secret));
  requirePermission(token, 'read', deps.store.now());
  return new A2aCaller(token);
}

const isStream = (a: RpcAnswer | AsyncGenerator<RpcAnswer>): a is AsyncGenerator<RpcAnswer> =>
  typeof (a as AsyncGenerator<RpcAnswer>)[Symbol.asyncIterator] === 'function';

/** An answer whose error carries the kOS refusal behind it, or the code of the SDK's own refusal. */
function typed(answer: RpcAnswer, ctx: ServerCallContext, deps: ApiDeps): RpcAnswer {
  if (answer.error === undefined) return answer;
  const kos = ctx.state.get(KOS_ERROR);
  const error =
    kos instanceof KosError
      ? jsonRpcErrorOf(kos)
      : withKosCode(answer.error as { code: number; message: string });
  deps.metrics.rejected((error.data[0]?.reason ?? 'KOS_ERR_INTERNAL') as ErrorCode);
  return { jsonrpc: '2.0', id: answer.id, error };
}

/**
 * The HTTP status of an answer: 401/403 for authentication and authorization (A2A leaves them to
 * the transport), 413 for an oversize body, 503 while not ready; any other refusal is a JSON-RPC
 * error in a 200.
 */
function statusOf(e: unknown): number {
  if (!(e instanceof KosError)) return 200;
  if (e.code === 'KOS_ERR_UNAUTHENTICATED' || e.code === 'KOS_ERR_FORBIDDEN') return e.status;
  if (e.code === 'KOS_ERR_BODY_TOO_LARGE') return 413;
  return e.code === 'KOS_ERR_NOT_READY' ? 503 : 200;
}

/** A refusal as a JSON-RPC error with the HTTP status of statusOf; `code` overrides the JSON-RPC code. */
function refuse(reply: FastifyReply, id: RpcId, e: KosError, deps: ApiDeps, code?: number) {
  deps.metrics.rejected(e.code);
  const status = statusOf(e);
  if (status === 401) void reply.header('WWW-Authenticate', 'Bearer');
  const error: JsonRpcErrorObject = { ...jsonRpcErrorOf(e), ...(code === undefined ? {} : { code }) };
  return reply.code(status).send({ jsonrpc: '2.0', id, error });
}

/**
 * A streaming answer as server-sent events, one JSON-RPC response per `data:`. A refusal before
 * the first event (unknown task, wrong role, bad message) is a plain JSON-RPC error instead, so
 * that the client reads it as one. A comment line every events.stream_heartbeat_ms keeps proxies
 * from closing a quiet stream; it ends when the client goes away or the server stops (CALL_ENDED).
 */
async function stream(
  reply: FastifyReply,
  events: AsyncGenerator<RpcAnswer>,
  id: RpcId,
  ctx: ServerCallContext,
  deps: ApiDeps,
) {
  let first: IteratorResult<RpcAnswer>;
  try {
    first = await events.next();
  } catch (e) {
    const kos = ctx.state.get(KOS_ERROR);
    return refuse(reply, id, kos instanceof KosError ? kos : toKosError(e), deps);
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  const beat = setInterval(() => res.write(': keep-alive\n\n'), deps.config.events.streamHeartbeatMs);
  try {
    for (let r = first; r.done !== true; r = await events.next())
      res.write(`data: ${JSON.stringify(typed(r.value, ctx, deps))}\n\n`);
  } catch (e) {
    const kos = ctx.state.get(KOS_ERROR);
    const error = jsonRpcErrorOf(kos instanceof KosError ? kos : toKosError(e));
    if (!res.writableEnded)
      res.write(`event: error\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, error })}\n\n`);
  } finally {
    clearInterval(beat);
    res.end();
  }
}
