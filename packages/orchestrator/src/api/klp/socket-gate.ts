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
