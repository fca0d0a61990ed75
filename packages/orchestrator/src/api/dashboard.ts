import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { KosError } from '@kos/protocol';

/**
 * The web dashboard (packages/dashboard, built by `npm run build`) served at `/` on the API's port,
 * so it needs no CORS and its session cookie is first-party. Paths that are no file and no API route
 * answer the app's index.html (it routes in the browser), except under the API's own prefixes,
 * which keep their typed 404.
 */

/** Where the built dashboard is: `dashboard.dir`, or the @kos/dashboard package's dist/. */
export function dashboardDir(configured: string | null): string {
  if (configured !== null) return configured;
  const pkg = createRequire(import.meta.url).resolve('@kos/dashboard/package.json');
  return path.join(path.dirname(pkg), 'dist');
}

const API_PREFIXES = ['/orchestration/', '/klp', '/metrics', '/healthz', '/readyz', '/openapi.json'];

/** The page loads only its own files; no inline script, no other origin, never framed. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** True for a GET of a page path a browser navigates to (not an API call, not a file). */
export function isAppPath(method: string, url: string, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const pathname = url.split('?')[0] ?? url;
  if (API_PREFIXES.some((p) => pathname === p.replace(/\/$/, '') || pathname.startsWith(p))) return false;
  // A missing file (an old build's asset) stays a 404 instead of answering HTML for a script.
  if (ASSET.test(pathname)) return false;
  return accept === undefined || accept.includes('text/html') || accept.includes('*/*');
}

const ASSET = /\.(js|mjs|css|map|json|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|txt|wasm)$/i;

export interface Dashboard {
  /** Answers a page path (the app, or 503 while it is not built); false when it is none (404). */
  fallback(req: FastifyRequest, reply: FastifyReply): boolean;
}

export async function mountDashboard(app: FastifyInstance, dir: string): Promise<Dashboard> {
  if (!existsSync(path.join(dir, 'index.html'))) {
    const missing = () =>
      new KosError(
        'KOS_ERR_DASHBOARD_NOT_BUILT',
        `the dashboard is enabled but ${path.join(dir, 'index.html')} is missing: run \`npm run build\` (or set dashboard.enabled: false)`,
      );
    app.log.warn({ dir }, 'dashboard not built: run `npm run build`; / answers 503 until then');
    return {
      fallback(req, reply) {
        if (!isAppPath(req.method, req.url, req.headers.accept)) return false;
        void reply.code(503).send({ error: missing().toJSON() });
        return true;
      },
    };
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // One route per built file, found at start: unknown paths reach the not-found handler below.
    wildcard: false,
    index: ['index.html'],
    // Ours below: hashed assets are immutable, everything else revalidated.
    cacheControl: false,
    setHeaders(res, file) {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
      // Vite names assets by content hash; index.html must be revalidated to pick up a new build.
      res.setHeader(
        'cache-control',
        file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return {
    fallback(req, reply) {
      if (!isAppPath(req.method, req.url, req.headers.accept)) return false;
      void reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' }).sendFile('index.html');
      return true;
    },
  };
}
