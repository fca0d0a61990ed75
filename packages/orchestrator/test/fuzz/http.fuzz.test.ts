import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http, startServer, type ServerHandle } from '@kos/testing';
import { configFile, registerAgent, submitDag } from '../fixtures.ts';
import { DoorCounts, fuzzOptions, fuzzTimeoutMs, typedRefusal } from './fuzz-options.ts';
import { httpCase, routesOf, type HttpCase, type RouteSpec } from './http-arbitraries.ts';
import { rawCase, rawExchange } from './raw-http.ts';
import { StoreCounts } from './store-counts.ts';

/**
 * Every HTTP route of /openapi.json, on a real orchestrator process and its SQLite file, fed
 * malformed requests. Properties: no 5xx, the server never dies, every refusal is a typed
 * KOS_ERR_* body with its registered status, and a refused request changes no row of the store.
 * Background writers are switched off (no auto-assign, no reconciler, long TTLs) so that any row
 * that moves during a refused request was moved by it.
 */
describe('fuzzed HTTP requests', () => {
  let server: ServerHandle;
  let routes: RouteSpec[];
  let store: StoreCounts;
  let knownIds: string[] = [];
  const tokens: Record<HttpCase['as'], string | undefined> = {
    admin: undefined,
    agent: undefined,
    viewer: undefined,
    garbage: 'kos_not-a-real-token',
    none: undefined,
  };
  const counts = new DoorCounts();

  beforeAll(async () => {
    server = await startServer({
      configFile: configFile([
        'limits:',
        '  token_rate_per_s: 1000000',
        '  token_burst: 1000000',
        '  ip_rate_per_s: 1000000',
        '  ip_burst: 1000000',
        '  headers_timeout_ms: 2000',
        '  request_timeout_ms: 2000',
        'scheduler:\n  auto_assign: false',
        'reconciler:\n  interval_ms: 0',
        // The dashboard's pages are not API routes (and its build may be missing: a 503 by design).
        'dashboard:\n  enabled: false',
        'heartbeat:\n  ttl_ms: 3600000',
        'leases:\n  ttl_ms: 3600000',
        // A cancelled leased task is revoked after the grace period, a running one at its
        // start-to-close bound: both would write in the background of a later, refused request.
        'cancellation:\n  grace_ms: 3600000',
        'timeouts:\n  start_to_close_factor: 0',
      ]),
    });
    const admin = new Http(server.url, server.adminToken);
    tokens.admin = server.adminToken;
    const issue = async (body: object) =>
      (await admin.post<{ token: string }>('/orchestration/tokens', body)).body.token;
    tokens.viewer = await issue({ role: 'viewer' });
    // Something to name: a goal with a leased task and a waiting one, an agent, tokens.
    const agent = await registerAgent(admin, 'fuzz-agent', ['fz']);
    const dag = await submitDag(admin, [
      { name: 'a', skills: ['fz'] },
      { name: 'b', skills: ['fz'], depends_on: ['a'] },
    ]);
    await admin.post('/orchestration/assign', {});
    // Only a spare token is named: revoking the callers' own would blind the rest of the run.
    const spare = await admin.post<{ id: string }>('/orchestration/tokens', { role: 'viewer' });
    knownIds = [dag.goal_id, ...dag.subtasks.map((t) => t.id), agent.id, spare.body.id];
    tokens.agent = agent.http.token;
    routes = routesOf((await admin.get<Parameters<typeof routesOf>[0]>('/openapi.json')).body).filter(
      (r) => r.path !== '/klp',
    );
    store = new StoreCounts(server.dataDir);
  });
  afterAll(async () => {
    counts.print('http.fuzz.test.ts');
    store?.close();
    await server?.stop();
    server?.cleanup();
  });

  async function send(c: HttpCase): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    const token = tokens[c.as];
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (c.contentType !== undefined) headers['content-type'] = c.contentType;
    const abort = new AbortController();
    // A request the server never answers is a finding too (and must not hang the run).
    const timer = setTimeout(() => abort.abort(new Error(`no answer in 10 s`)), 10_000);
    const hasBody = c.body !== undefined && c.method !== 'GET' && c.method !== 'HEAD';
    const res = await fetch(server.url + c.url, {
      method: c.method,
      headers,
      body: hasBody ? c.body! : null,
      signal: abort.signal,
    });
    if (res.headers.get('content-type')?.includes('event-stream')) {
      clearTimeout(timer);
      abort.abort();
      return { status: res.status, body: null };
    }
    const text = await res.text();
    clearTimeout(timer);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: typedRefusal reports it if this was a refusal.
    }
    return { status: res.status, body };
  }

  it(
    'answers every malformed request to every route with a typed 4xx that changes nothing',
    async () => {
      expect(routes.length).toBeGreaterThan(30);
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(httpCase(routes, knownIds), async (c) => {
          counts.add('HTTP requests (fetch, all routes)');
          seen.add(c.url.split('?')[0]!);
          const before = store.read();
          const { status, body } = await send(c);
          expect(status, `${c.method} ${c.url}: ${JSON.stringify(body)}`).toBeLessThan(500);
          if (status < 400 || c.method === 'HEAD') {
            counts.add(status < 400 ? 'HTTP answered with success' : 'HTTP HEAD refusals (no body)');
            return;
          }
          expect(typedRefusal(status, body), `${c.method} ${c.url}`).toBeNull();
          counts.add(`HTTP refusals: ${(body as { error: { code: string } }).error.code}`);
          const added = store.eventKindsAfter(before.last_seq!).join(', ');
          expect(store.read(), `${c.method} ${c.url} refused with ${status}; events added: ${added}`).toEqual(
            before,
          );
        }),
        fuzzOptions(600),
      );
      expect(server.process.exitCode).toBeNull();
      // Nothing went wrong inside either: no error or fatal log line (pino levels 50, 60).
      expect(server.lines.filter((l) => /"level":(50|60)/.test(l)).map((l) => l.slice(0, 600))).toEqual([]);
    },
    fuzzTimeoutMs(60_000),
  );

  it(
    'answers raw malformations (invalid UTF-8, lying Content-Length, broken framing) typed, or closes',
    async () => {
      const port = Number(new URL(server.url).port);
      const paths = [...new Set(routes.filter((r) => r.pathParams.length === 0).map((r) => r.path))];
      const auth = `Authorization: Bearer ${server.adminToken}`;
      const kinds = new DoorCounts();
      await fc.assert(
        fc.asyncProperty(rawCase(paths, auth), async (c) => {
          counts.add('HTTP raw socket');
          kinds.add(`raw: ${c.kind}`);
          const before = store.read();
          const answers = await rawExchange(port, c.bytes);
          expect(answers, c.kind).not.toBe('timeout');
          for (const a of answers === 'timeout' ? [] : answers) {
            expect(a.status, `${c.kind}: ${a.body}`).toBeLessThan(500);
            if (a.status < 400) continue;
            let body: unknown = a.body;
            try {
              body = JSON.parse(a.body);
            } catch {
              // reported below
            }
            expect(typedRefusal(a.status, body), c.kind).toBeNull();
            expect(store.read(), `${c.kind} refused but changed the store`).toEqual(before);
          }
        }),
        fuzzOptions(300),
      );
      kinds.print('http.fuzz.test.ts (raw kinds)');
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(server.process.exitCode).toBeNull();
      // Nothing went wrong inside either: no error or fatal log line (pino levels 50, 60).
      expect(server.lines.filter((l) => /"level":(50|60)/.test(l)).map((l) => l.slice(0, 600))).toEqual([]);
    },
    fuzzTimeoutMs(60_000),
  );
});
