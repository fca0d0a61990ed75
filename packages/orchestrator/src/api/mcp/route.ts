import { KosError } from '@kos/protocol';
import { toNodeHandler, type NodeIncomingMessageLike } from '@modelcontextprotocol/node';
import { createMcpHandler, type AuthInfo } from '@modelcontextprotocol/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashToken, parseBearer, requirePermission } from '../../security/index.ts';
import type { TokenRecord } from '../../store/records.ts';
import type { ApiDeps } from '../deps.ts';
import { EventFeedBus } from './notifications.ts';
import { McpCaller, mcpServer } from './server.ts';
import type { McpEnv } from './tool.ts';

/**
 * `/mcp`: the MCP server over Streamable HTTP (docs/interop.md), one Fastify route for every
 * method the transport uses. The route authenticates the bearer token (the REST API's tokens; no
 * session cookie, so a browser page cannot ride a signed-in dashboard), reads the body within
 * limits.max_body_bytes, and hands the raw request to the SDK's handler, which answers JSON-RPC
 * and its errors (bad JSON, bad messages, unknown methods) itself. Not in @kos/contracts' RESPONSES
 * nor in /openapi.json: its answers are JSON-RPC messages, not REST bodies.
 */
export function mcpRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const env: McpEnv = { deps, log: app.log };
  const maxRequestBodySize = deps.config.limits.maxBodyBytes;
  const onerror = (err: Error) => app.log.info({ err: err.message, route: '/mcp' }, 'MCP request refused');
  const handler = createMcpHandler(
    ({ authInfo, era }) => {
      const caller = authInfo?.extra?.['kos'];
      if (!(caller instanceof McpCaller)) throw new Error('an /mcp request reached the SDK unauthenticated');
      return mcpServer(env, caller, era);
    },
    { bus: new EventFeedBus(deps.events, app.log), maxRequestBodySize, onerror },
  );
  const node = toNodeHandler(handler, { maxRequestBodySize, onerror });
  app.addHook('preClose', () => handler.close());

  void app.register(async (mcp) => {
    // The body reaches the SDK as sent (text), so that it, not Fastify, answers a malformed one.
    mcp.removeAllContentTypeParsers();
    mcp.addContentTypeParser('*', { parseAs: 'string', bodyLimit: maxRequestBodySize }, (_req, body, done) =>
      done(null, body),
    );
    mcp.route({
      method: ['GET', 'POST', 'DELETE'],
      url: '/mcp',
      schema: { hide: true },
      handler: async (req, reply) => {
        if (!deps.accepting()) {
          throw new KosError('KOS_ERR_NOT_READY', 'the orchestrator is starting or stopping; retry shortly');
        }
        const token = await bearerToken(deps, req);
        const text = typeof req.body === 'string' ? req.body : '';
        const auth: AuthInfo = {
          token: token.id,
          clientId: token.id,
          scopes: [token.role],
          extra: { kos: new McpCaller(token, listsTools(text)) },
        };
        const raw: NodeIncomingMessageLike = {
          method: req.method,
          url: req.url,
          headers: req.raw.headers,
          auth,
          async *[Symbol.asyncIterator]() {
            if (text !== '') yield text;
          },
        };
        reply.hijack();
        await node(raw, reply.raw);
      },
    });
  });
}

/** The caller's bearer token, checked valid (neither revoked nor expired); else 401 KOS_ERR_UNAUTHENTICATED. */
async function bearerToken(deps: ApiDeps, req: FastifyRequest): Promise<TokenRecord> {
  const secret = parseBearer(req.headers.authorization);
  const token = secret === null ? null : await deps.auth.byHash(hashToken(secret));
  requirePermission(token, 'read', deps.store.now());
  return token;
}

/** Whether the body is a `tools/list` request (or a batch with one): then only permitted tools are listed. */
function listsTools(text: string): boolean {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  const isList = (m: unknown) =>
    typeof m === 'object' && m !== null && 'method' in m && m.method === 'tools/list';
  return Array.isArray(body) ? body.some(isList) : isList(body);
}
