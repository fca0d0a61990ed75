import { KosError } from '@kos/protocol';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listEvents } from '../../app/index.ts';
import { EVENT_KINDS, type EventKind } from '../../store/records.ts';
import { revokedTokenId } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { BoundedSink, matches, ResumeCursor, sseMessage, type StreamFilter } from './stream.ts';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const StreamQuery = Type.Object(
  {
    goal_id: Type.Optional(Id),
    task_id: Type.Optional(Id),
    agent_id: Type.Optional(Id),
    /** Comma-separated event kinds. */
    kind: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    /** The last seq the client has, for clients that cannot send Last-Event-ID. */
    after: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** Backlog rows per read while a resuming client catches up. */
const PAGE = 500;

/**
 * GET /orchestration/events/stream: Server-Sent Events, one message per committed event (any
 * replica's), its seq as the SSE id. `Last-Event-ID` (or `after`) resumes without gaps or
 * duplicates: the live feed is joined before the backlog is read (ResumeCursor). A comment line
 * every events.stream_heartbeat_ms keeps proxies open; a client that falls behind by more than
 * events.stream_max_buffered_bytes is dropped (BoundedSink) and resumes.
 */
export function eventStreamRoute(app: FastifyInstance, deps: ApiDeps): void {
  // Open streams never end by themselves: a stopping server ends them (clients resume elsewhere).
  // The socket goes too: the server's close would otherwise wait out the keep-alive timeout of a
  // connection that became idle only after close() had closed the idle ones.
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end(() => res.socket?.destroy());
  });
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/orchestration/events/stream',
      { schema: { querystring: StreamQuery, tags: ['audit'] } },
      async (req, reply) => {
        const caller = await deps.auth.require(req, 'read');
        const q = req.query;
        const filter: StreamFilter = {
          goalId: q.goal_id,
          taskId: q.task_id,
          agentId: q.agent_id,
          kinds: q.kind === undefined ? undefined : kindsOf(q.kind),
        };
        const cursor = new ResumeCursor(lastEventId(req.headers['last-event-id']) ?? q.after ?? null);
        const { streamHeartbeatMs, streamMaxBufferedBytes } = deps.config.events;

        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        // HEAD (Fastify's automatic twin of this GET): Node drops writes to a HEAD response, so
        // its headers would never leave and the request would hang; found by the HTTP fuzzer.
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        const sink = new BoundedSink(res, streamMaxBufferedBytes, () =>
          req.log.info({ route: '/orchestration/events/stream' }, 'event stream client fell behind: dropped'),
        );
        const send = (events: readonly Parameters<typeof sseMessage>[0][]) => {
          for (const e of events) {
            // The caller's token revoked (on any replica): the stream ends; a reconnect is refused.
            if (revokedTokenId(e) === caller.id) {
              sink.write(': token revoked\n\n');
              res.end();
              return;
            }
            if (matches(filter, e)) sink.write(sseMessage(e));
          }
        };
        sink.write(
          cursor.resuming
            ? `retry: 1000\n: resuming after seq ${cursor.position}\n\n`
            : 'retry: 1000\n: live\n\n',
        );
        const heartbeat = setInterval(() => {
          // A token that expires ends its streams by the next heartbeat; a reconnect is refused.
          if (caller.expiresAt !== null && deps.store.now() >= caller.expiresAt) {
            sink.write(': token expired\n\n');
            res.end();
          } else sink.write(': heartbeat\n\n');
        }, streamHeartbeatMs);
        let unsubscribe: (() => void) | null = null;
        let closed = false;
        open.add(res);
        res.on('close', () => {
          open.delete(res);
          closed = true;
          clearInterval(heartbeat);
          unsubscribe?.();
        });
        try {
          const stop = await deps.events.subscribe((e) => send(cursor.live(e)));
          if (closed) stop();
          else unsubscribe = stop;
          if (cursor.resuming) {
            for (;;) {
              const page = await listEvents(deps, { ...filter, afterSeq: cursor.position, limit: PAGE });
              send(cursor.backlog(page.events));
              if (page.events.length < PAGE || closed) break;
            }
          }
          send(cursor.caughtUp());
        } catch (err) {
          req.log.error({ err }, 'event stream failed');
          res.destroy();
        }
      },
    );
}

function lastEventId(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return null;
  const seq = Number(value);
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new KosError(
      'KOS_ERR_VALIDATION',
      `Last-Event-ID must be an event seq (a whole number), not "${value}"`,
    );
  }
  return seq;
}

function kindsOf(list: string): EventKind[] {
  const kinds = list.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(EVENT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new KosError(
      'KOS_ERR_VALIDATION',
      `unknown event kind ${unknown.join(', ')}; known: ${EVENT_KINDS.join(', ')}`,
      {
        field: 'kind',
      },
    );
  }
  return kinds as EventKind[];
}
