import type { ErrorCode } from '@kos/protocol';
import type { Metrics } from '../../observe/metrics.ts';

/** What the gate needs of a socket it may have to drop. */
export interface GatedSocket {
  /** Closes the socket because newer sockets need the room. */
  evict(): void;
}

export type GateVerdict = { ok: true; evicted: GatedSocket | null } | { ok: false };

/**
 * Caps the KLP sockets of one orchestrator: at most `maxSessions` authenticated sessions, and at
 * most `maxUnauthenticated` sockets that have not completed their hello. When the second cap is
 * reached the oldest unauthenticated socket is evicted to let the new one in: an agent completes
 * its hello within milliseconds, so a flood of idle sockets cannot keep agents out, and memory
 * stays bounded. Each socket also has a handshake deadline (klp/session.ts).
 */
export class SocketGate {
  /** Unauthenticated sockets, oldest first (a Set keeps insertion order). */
  private readonly waiting = new Set<GatedSocket>();
  private readonly active = new Set<GatedSocket>();

  constructor(private readonly options: { maxSessions: number; maxUnauthenticated: number }) {}

  /** A new socket: refused when the sessions are at their cap, else admitted (maybe evicting one). */
  open(socket: GatedSocket): GateVerdict {
    if (this.active.size >= this.options.maxSessions) return { ok: false };
    let evicted: GatedSocket | null = null;
    if (this.waiting.size >= this.options.maxUnauthenticated) {
      evicted = this.waiting.values().next().value ?? null;
      if (evicted) this.waiting.delete(evicted);
    }
    this.waiting.add(socket);
    return { ok: true, evicted };
  }

  /** The socket's hello succeeded; false when the session cap was reached meanwhile. */
  authenticated(socket: GatedSocket): boolean {
    this.waiting.delete(socket);
    if (this.active.size >= this.options.maxSessions) return false;
    this.active.add(socket);
    return true;
  }

  closed(socket: GatedSocket): void {
    this.waiting.delete(socket);
    this.active.delete(socket);
  }

  get counts(): { unauthenticated: number; sessions: number } {
    return { unauthenticated: this.waiting.size, sessions: this.active.size };
  }
}

/** How a socket is refused at each KLP limit; the key is the `kind` of kos_limit_refusals_total. */
const AT_LIMIT = {
  klp_unauthenticated_evicted: {
    code: 'KOS_ERR_OVERLOADED',
    close: 1013,
    message: 'too many sockets without a hello; this one waited longest',
  },
  klp_sessions_full: {
    code: 'KOS_ERR_OVERLOADED',
    close: 1013,
    message: 'limits.max_klp_sessions reached; retry later',
  },
  klp_handshake_timeout: {
    code: 'KOS_ERR_HANDSHAKE_REQUIRED',
    close: 4408,
    message: 'no hello within limits.handshake_timeout_ms',
  },
} as const satisfies Record<string, { code: ErrorCode; close: number; message: string }>;

/** Closes a socket at a limit: counted, told as an error frame, closed with the limit's close code. */
export function refuseAtLimit(
  s: {
    deps: { metrics: Metrics };
    sendError(code: ErrorCode, message: string): void;
    close(code: number, reason: string): void;
  },
  kind: keyof typeof AT_LIMIT,
): void {
  const { code, close, message } = AT_LIMIT[kind];
  s.deps.metrics.limitRefused(kind);
  s.sendError(code, message);
  s.close(close, message);
}
