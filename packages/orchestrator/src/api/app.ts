import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import { RESPONSES } from '@kos/contracts';
import { KosError } from '@kos/protocol';
import { successFlag } from './compat.ts';
import type { ApiDeps } from './deps.ts';
import { toKosError } from './errors.ts';
import { validatorCompiler } from './validation.ts';
import { dashboardDir, mountDashboard } from './dashboard.ts';
import { eventStreamRoute } from './events/sse-route.ts';
import { a2aRoutes } from './a2a/route.ts';
import { klpGateway } from './klp/gateway.ts';
import type { TlsFiles } from './tls.ts';
import { clientErrorHandler } from './limits/client-errors.ts';
import { callerLimits, serverTimeouts } from './limits/http-limits.ts';
import { mcpRoutes } from './mcp/route.ts';
import { a2aAgentRoutes } from './routes/a2a-agents.ts';
import { agentRoutes } from './routes/agents.ts';
import { agentKeyRoutes } from './routes/agent-keys.ts';
import { auditRoutes } from './routes/audit.ts';
import { goalRoutes } from './routes/goals.ts';
import { opsRoutes } from './routes/ops.ts';
import { plannerRoutes } from './routes/planner.ts';
import { schedulerRoutes } from './routes/scheduler.ts';
import { sessionRoutes } from './routes/session.ts';
import { taskRoutes } from './routes/tasks.ts';
import { tokenRoutes } from './routes/tokens.ts';

/**
 * The HTTP API, routes by resource: parse → call one use case (app/) → render a view. Every error
 * leaves as `{error: {code, message, details?}}` with the status of its registered code.
 */
export async function buildApp(
  deps: ApiDeps,
  logger: Logger,
  tls: TlsFiles | null = null,
): Promise<FastifyInstance> {
  // With TLS, Fastify serves https (and the KLP gateway wss) on the same port; the handlers
  // see the same request and reply objects, so the app keeps the http server's types.
  const https = tls === null ? {} : { https: { cert: tls.cert, key: tls.key } };
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    ...https,
    loggerInstance: logger,
    bodyLimit: deps.config.limits.maxBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
    // Ids may be up to 200 characters (schemas.ts); a longer path parameter is then refused by the
    // schema with a typed KOS_ERR_VALIDATION instead of Fastify's untyped 414.
    routerOptions: { maxParamLength: 1000 },
    ...serverTimeouts(deps.config.limits),
    clientErrorHandler: clientErrorHandler(deps.metrics),
    // A URL the router cannot decode (`/healthz/%`) is answered before any hook or error handler
    // runs; found by test/fuzz/http.fuzz.test.ts (it was Fastify's untyped FST_ERR_BAD_URL body).
    frameworkErrors: (err, _req, res) => {
      const e = new KosError('KOS_ERR_BAD_REQUEST', err.message);
      deps.metrics.rejected(e.code);
      // Typed here before the app's reply type is known; it is an ordinary reply.
      const reply = res as FastifyReply;
      void reply.code(e.status).send({ error: e.toJSON() });
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  // Every route's answers are documented by its @kos/contracts schemas (so /openapi.json has them),
  // but serialized as they are: a response schema would otherwise silently drop or coerce a field
  // the schema forgot. test/contracts.test.ts checks every route's live answers against them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      const responses: Record<string, unknown> | undefined = (
        RESPONSES as Record<string, Record<string, unknown>>
      )[`${method} ${route.url}`];
      if (responses !== undefined) route.schema = { ...route.schema, response: responses };
    }
  });
  // JSON only: a text/plain body is refused with 415 instead of being read as a string.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  // An empty body is no body: many clients send `Content-Type: application/json` with nothing for a
  // body-less POST. The route then sees what it sees without a body (a schema error if it needs one).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body.toString();
    // The default parser answers through `done` synchronously; its return value carries nothing.
    if (text === '') done(null, undefined);
    else void parseJson(req, text, done);
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'kOS Orchestrator',
        version: '0.1.0',
        description: 'Goals → DAGs → leases on a fleet of agents. Errors: see docs/errors.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  app.setErrorHandler((err, req, reply) => {
    const e = toKosError(err);
    if (e.code === 'KOS_ERR_INTERNAL') req.log.error({ err }, 'request failed');
    else req.log.info({ code: e.code, route: req.routeOptions.url, reason: e.message }, 'request rejected');
    deps.metrics.rejected(e.code);
    void reply.code(e.status).send({ error: e.toJSON() });
  });
  const dashboard = deps.config.dashboard.enabled
    ? await mountDashboard(app, dashboardDir(deps.config.dashboard.dir))
    : null;
  app.setNotFoundHandler((req, reply) => {
    if (dashboard?.fallback(req, reply) === true) return;
    const e = new KosError('KOS_ERR_ROUTE_NOT_FOUND', `no route ${req.method} ${req.url}; see /openapi.json`);
    deps.metrics.rejected(e.code);
    void reply.code(404).send({ error: e.toJSON() });
  });

  // Shed requests while starting/stopping instead of letting them hang on a closing store.
  app.addHook('onRequest', async (req) => {
    if (!deps.accepting() && req.url.startsWith('/orchestration/')) {
      throw new KosError('KOS_ERR_NOT_READY', 'the orchestrator is starting or stopping; retry shortly');
    }
  });

  callerLimits(app, deps);

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequest(route, req.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  await klpGateway(app, { ...deps, log: logger });
  successFlag(app);
  opsRoutes(app, deps);
  goalRoutes(app, deps);
  plannerRoutes(app, deps);
  taskRoutes(app, deps);
  agentRoutes(app, deps);
  agentKeyRoutes(app, deps);
  a2aAgentRoutes(app, deps);
  schedulerRoutes(app, deps);
  tokenRoutes(app, deps);
  auditRoutes(app, deps);
  eventStreamRoute(app, deps);
  sessionRoutes(app, deps);
  mcpRoutes(app, deps);
  if (deps.config.a2a.enabled) a2aRoutes(app, deps);
  return app;
}
