import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KosError } from '@kos/protocol';
import type { Config } from '../../config/index.ts';
import type { Metrics } from '../../observe/metrics.ts';
import type { Authenticator } from '../auth.ts';
import { CallerLimits, type CallerClass } from './caller-limits.ts';

/** The Node HTTP server options that bound slow clients (slowloris, trickled bodies, idle keep-alives). */
export function serverTimeouts(limits: Config['limits']) {
  const checkEvery = Math.max(10, Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4);
  return {
    // Fastify's own options: it sets these on the server it creates.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Passed to http.createServer. Node checks both timeouts only every connectionsCheckingInterval
    // (30 s by default), so a short headers timeout needs a shorter interval to mean anything.
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.round(checkEvery) },
  };
}

/**
 * Rate and concurrency limits per caller, as an onRequest hook: per token for requests with valid
 * credentials, per client address for the others (before auth; such requests are refused by their
 * route anyway, or read public views). A refusal is a typed 429 KOS_ERR_RATE_LIMITED, or 503
 * KOS_ERR_OVERLOADED when too many requests are in flight overall, both with Retry-After.
 * `/klp` upgrades are not counted here: the gateway caps sockets itself (klp/socket-limits.ts).
 */
export function callerLimits(
  app: FastifyInstance,
  deps: { config: Config; metrics: Metrics; auth: Authenticator },
): CallerLimits {
  const l = deps.config.limits;
  const tokenClass: CallerClass = {
    ratePerS: l.tokenRatePerS,
    burst: l.tokenBurst,
    maxConcurrent: l.tokenMaxConcurrent,
  };
  const ipClass: CallerClass = { ratePerS: l.ipRatePerS, burst: l.ipBurst, maxConcurrent: l.ipMaxConcurrent };
  const limiter = new CallerLimits({
    maxConcurrentTotal: l.maxConcurrentRequests,
    maxTracked: l.maxTrackedCallers,
  });

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.url === '/klp' || req.url.startsWith('/klp?')) return;
    const caller = await deps.auth.callerOf(req).catch(() => null);
    const admission = caller
      ? limiter.admit(`token:${caller.token.id}`, tokenClass, performance.now(), 'token')
      : limiter.admit(`ip:${req.ip}`, ipClass, performance.now(), 'ip');
    if (admission.ok) {
      // 'close' comes once the response is sent or the client went away, whichever is first.
      reply.raw.once('close', admission.release);
      return;
    }
    deps.metrics.limitRefused(admission.kind);
    const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
    void reply.header('retry-after', String(seconds));
    if (admission.kind === 'overloaded') {
      throw new KosError('KOS_ERR_OVERLOADED', `too many requests in flight; retry in ${seconds} s`, {
        retry_after_s: seconds,
      });
    }
    const who = caller ? 'this token' : 'this address';
    const what = admission.kind.endsWith('_rate') ? 'request rate' : 'concurrent requests';
    throw new KosError('KOS_ERR_RATE_LIMITED', `${who} exceeded its ${what} limit; retry in ${seconds} s`, {
      limit: admission.kind,
      retry_after_s: seconds,
    });
  });
  return limiter;
}
