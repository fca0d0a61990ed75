/** Checks on answers as they travel: a WebSocket handshake's status, a stream's first chunk, what a serializer changed. */
import { request } from 'node:http';
import type { Route } from '@kos/contracts';
import { responseSchema } from '@kos/contracts';
import WebSocket from 'ws';

/** The HTTP status of a WebSocket handshake (101 when upgraded); the socket is closed at once. */
export function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('upgrade', (res) => {
      resolve(res.statusCode ?? 0);
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

/** Where `b` first differs from `a`, as a JSON path: what a serializer dropped or coerced. */
export function firstDifference(a: unknown, b: unknown, at = ''): string {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${at}/${k}`,
      );
      if (d !== '') return d;
    }
    return '';
  }
  return Object.is(a, b) ? '' : `${at || '/'}: ${JSON.stringify(a)} became ${JSON.stringify(b)}`;
}

/** The status and first chunk of a streaming answer (the SSE stream), then the connection is closed. */
export function firstChunk(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.setEncoding('utf8');
      res.once('data', (chunk: string) => {
        resolve({ status: res.statusCode ?? 0, body: chunk });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Each JSON answer served again through Fastify's serializer with its route's response schema:
 * where one came back different (a field the schema drops or coerces), as `route status: path`.
 */
export async function serializerChanges(
  samples: readonly { route: Route; status: number; body: unknown }[],
): Promise<string[]> {
  const { default: Fastify } = await import('fastify');
  const echo = Fastify();
  const json = samples.filter(
    (s) => !['GET /metrics', 'GET /klp', 'GET /orchestration/events/stream'].includes(s.route),
  );
  json.forEach((s, i) => {
    echo.get(
      `/${i}`,
      { schema: { response: { [s.status]: responseSchema(s.route, s.status)! } } },
      async (_req, reply) => {
        void reply.code(s.status);
        return s.body;
      },
    );
  });
  try {
    const changed: string[] = [];
    for (const [i, s] of json.entries()) {
      const res = await echo.inject(`/${i}`);
      const back: unknown = JSON.parse(res.payload);
      const difference = firstDifference(s.body, back);
      if (difference !== '') changed.push(`${s.route} ${s.status}: ${difference}`);
    }
    return changed;
  } finally {
    await echo.close();
  }
}
