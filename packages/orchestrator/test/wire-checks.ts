/** Checks on answers as they travel: a WebSocket handshake's status, what a serializer changed. */
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
