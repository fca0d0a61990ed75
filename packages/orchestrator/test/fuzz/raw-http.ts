import { connect } from 'node:net';
import fc from 'fast-check';

/** A response read off a raw socket. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `bytes` on a fresh TCP connection, half-closes it, and parses every HTTP response the
 * server wrote before closing (several, when a lying Content-Length made the rest a second request).
 */
export function rawExchange(
  port: number,
  bytes: Buffer,
  timeoutMs = 5_000,
): Promise<RawAnswer[] | 'timeout'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, timeoutMs);
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponses(Buffer.concat(chunks)));
    });
    socket.end(bytes);
  });
}

function parseResponses(data: Buffer): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = data;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine = '', ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const length =
      headers['content-length'] === undefined ? rest.length - end - 4 : Number(headers['content-length']);
    answers.push({
      status: Number(statusLine.split(' ')[1]),
      headers,
      body: rest.subarray(end + 4, end + 4 + length).toString('utf8'),
    });
    rest = rest.subarray(end + 4 + length);
  }
  return answers;
}

const INVALID_UTF8 = [
  Buffer.from([0xff]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate, encoded
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]), // truncated sequence
];

export interface RawCase {
  kind: string;
  bytes: Buffer;
}

const head = (method: string, path: string, headers: string[]) =>
  `${method} ${path} HTTP/1.1\r\nHost: fuzz\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;

/** Malformations below what fetch can send: invalid UTF-8, lying lengths, broken framing. */
export function rawCase(paths: string[], auth: string): fc.Arbitrary<RawCase> {
  const path = fc.constantFrom(...paths);
  const json = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null');
  const bad = fc.constantFrom(...INVALID_UTF8);
  const withBody = (kind: string, p: string, body: Buffer, extra: string[] = []): RawCase => ({
    kind,
    bytes: Buffer.concat([
      Buffer.from(
        head('POST', p, [auth, 'Content-Type: application/json', `Content-Length: ${body.length}`, ...extra]),
      ),
      body,
    ]),
  });
  return fc.oneof(
    fc.tuple(path, json, bad, fc.nat()).map(([p, j, b, at]) => {
      const text = Buffer.from(j);
      const i = at % (text.length + 1);
      return withBody('invalid UTF-8 body', p, Buffer.concat([text.subarray(0, i), b, text.subarray(i)]));
    }),
    fc.tuple(path, json, fc.integer({ min: 1, max: 20 })).map(([p, j, less]) => {
      const body = Buffer.from(j + 'x'.repeat(20));
      const declared = Math.max(0, body.length - less);
      return {
        kind: 'Content-Length shorter than the body',
        bytes: Buffer.concat([
          Buffer.from(
            head('POST', p, [auth, 'Content-Type: application/json', `Content-Length: ${declared}`]),
          ),
          body,
        ]),
      };
    }),
    fc.tuple(path, json, fc.integer({ min: 1, max: 10_000 })).map(([p, j, more]) => {
      const body = Buffer.from(j);
      return {
        kind: 'Content-Length longer than the body',
        bytes: Buffer.concat([
          Buffer.from(
            head('POST', p, [
              auth,
              'Content-Type: application/json',
              `Content-Length: ${body.length + more}`,
            ]),
          ),
          body,
        ]),
      };
    }),
    fc
      .tuple(path, fc.constantFrom('abc', '-1', '1e3', '99999999999999999999', '5, 6', ' '))
      .map(([p, cl]) => ({
        kind: 'invalid Content-Length',
        bytes: Buffer.from(
          head('POST', p, [auth, 'Content-Type: application/json', `Content-Length: ${cl}`]) + '{}',
        ),
      })),
    fc.tuple(path, json).map(([p, j]) => ({
      kind: 'Content-Length with chunked',
      bytes: Buffer.from(
        head('POST', p, [
          auth,
          'Content-Type: application/json',
          `Content-Length: ${j.length}`,
          'Transfer-Encoding: chunked',
        ]) + `${j.length.toString(16)}\r\n${j}\r\n0\r\n\r\n`,
      ),
    })),
    fc.tuple(path, fc.constantFrom('zz', '-1', 'ffffffffffffffff', '')).map(([p, size]) => ({
      kind: 'broken chunked body',
      bytes: Buffer.from(
        head('POST', p, [auth, 'Content-Type: application/json', 'Transfer-Encoding: chunked']) +
          `${size}\r\n{}\r\n0\r\n\r\n`,
      ),
    })),
    fc.tuple(path, bad).map(([p, b]) => ({
      kind: 'invalid UTF-8 in the path',
      bytes: Buffer.concat([
        Buffer.from(`GET ${p}/`),
        b,
        Buffer.from(` HTTP/1.1\r\nHost: fuzz\r\n${auth}\r\n\r\n`),
      ]),
    })),
    fc.tuple(path, bad).map(([p, b]) => ({
      kind: 'invalid UTF-8 in a header',
      bytes: Buffer.concat([
        Buffer.from(`GET ${p} HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer `),
        b,
        Buffer.from('\r\n\r\n'),
      ]),
    })),
    fc
      .tuple(path, fc.constantFrom('Bad Header: x', 'X-A\u0001: y', ': empty', 'X-Fold: a\r\n b'))
      .map(([p, h]) => ({
        kind: 'malformed header',
        bytes: Buffer.from(head('GET', p, [auth, h])),
      })),
    path.map((p) => ({
      kind: 'oversize header',
      bytes: Buffer.from(head('GET', p, [auth, `X-Big: ${'a'.repeat(20_000)}`])),
    })),
    fc
      .uint8Array({ minLength: 1, maxLength: 200 })
      .map((b) => ({ kind: 'random bytes', bytes: Buffer.from(b) })),
  );
}
