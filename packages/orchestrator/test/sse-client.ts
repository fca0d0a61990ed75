import { request, type IncomingMessage } from 'node:http';

export interface Message {
  id: number;
  event: string;
  data: { seq: number; kind: string; goal_id: string | null };
}

/** A real SSE client over HTTP: collects the messages of the stream until closed. */
export function openStream(url: string, token: string, headers: Record<string, string> = {}) {
  const messages: Message[] = [];
  let res: IncomingMessage | undefined;
  let buffer = '';
  const req = request(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers },
  });
  const opened = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', (r) => {
      res = r;
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => !l.startsWith(':') && l.includes(': '))
              .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
          );
          if (fields.id !== undefined)
            messages.push({ id: Number(fields.id), event: fields.event!, data: JSON.parse(fields.data!) });
        }
      });
      resolve(r);
    });
    req.on('error', reject);
  });
  req.end();
  return { messages, opened, close: () => (res?.destroy(), req.destroy()) };
}
