import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { KosError, type ErrorCode } from '@kos/protocol';
import type { Metrics } from '../../observe/metrics.ts';

/**
 * Fastify's clientErrorHandler: the answer to a request Node's HTTP parser refused before any
 * route ran (malformed HTTP, oversize headers, headers or body too slow), as a typed body like
 * every other refusal, then the connection is closed.
 */
export function clientErrorHandler(metrics: Metrics) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const code: ErrorCode =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'KOS_ERR_REQUEST_TIMEOUT'
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? 'KOS_ERR_HEADERS_TOO_LARGE'
          : 'KOS_ERR_BAD_REQUEST';
    const message =
      code === 'KOS_ERR_REQUEST_TIMEOUT'
        ? 'the request did not arrive within limits.headers_timeout_ms / limits.request_timeout_ms'
        : code === 'KOS_ERR_HEADERS_TOO_LARGE'
          ? 'the request headers are too large'
          : `the request is not valid HTTP (${err.code ?? 'parse error'})`;
    metrics.limitRefused(code === 'KOS_ERR_REQUEST_TIMEOUT' ? 'request_timeout' : 'bad_request');
    metrics.rejected(code);
    const e = new KosError(code, message);
    const body = JSON.stringify({ error: e.toJSON() });
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
