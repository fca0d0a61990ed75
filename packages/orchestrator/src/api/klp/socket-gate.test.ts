import { describe, expect, it } from 'vitest';
import { SocketGate, type GatedSocket } from './socket-gate.ts';

const socket = (): GatedSocket => ({ evict() {} });

describe('SocketGate', () => {
  it('evicts the oldest unauthenticated socket to admit a new one', () => {
    const gate = new SocketGate({ maxSessions: 10, maxUnauthenticated: 2 });
    const [a, b, c] = [socket(), socket(), socket()];
    expect(gate.open(a)).toEqual({ ok: true, evicted: null });
    gate.open(b);
    expect(gate.open(c)).toEqual({ ok: true, evicted: a });
    expect(gate.counts).toEqual({ unauthenticated: 2, sessions: 0 });
  });

  it('refuses new sockets while the authenticated sessions are at their cap', () => {
    const gate = new SocketGate({ maxSessions: 1, maxUnauthenticated: 5 });
    const [a, b] = [socket(), socket()];
    gate.open(a);
    gate.open(b);
    expect(gate.authenticated(a)).toBe(true);
    expect(gate.authenticated(b)).toBe(false);
    expect(gate.open(socket())).toEqual({ ok: false });
    gate.closed(a);
    expect(gate.open(socket()).ok).toBe(true);
  });
});
