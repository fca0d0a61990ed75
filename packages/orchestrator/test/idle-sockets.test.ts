import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent } from '@kos/agent';
import { generateKey } from '@kos/protocol/node';
import { poll, useServer } from '@kos/testing';
import { configFile, submitDag } from './fixtures.ts';

const IDLE_TCP = 10_000;
const IDLE_WS = 2_000;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Opens `n` sockets, `batch` at a time, resolving once each is connected. */
async function openMany<T>(n: number, batch: number, open: () => Promise<T>): Promise<T[]> {
  const all: T[] = [];
  for (let i = 0; i < n; i += batch) {
    all.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, open))));
  }
  return all;
}

/**
 * The worst case of idle sockets: timeouts long enough that none is cut off during the test, so
 * only the socket caps (the oldest unauthenticated KLP socket evicted for a new one) keep agents in.
 */
describe('idle unauthenticated sockets', () => {
  const running = useServer(() => ({
    configFile: configFile([
      'limits:',
      '  headers_timeout_ms: 300000',
      '  request_timeout_ms: 300000',
      '  handshake_timeout_ms: 300000',
      '  max_unauthenticated_sockets: 1000',
    ]),
  }));

  it(`do not starve agents: ${IDLE_TCP} idle TCP and ${IDLE_WS} silent KLP sockets open, an agent still works`, async () => {
    const port = Number(new URL(running.server.url).port);
    let tcpClosed = 0;
    const tcp = await openMany(IDLE_TCP, 500, () => {
      const s = connect(port, '127.0.0.1');
      s.on('close', () => (tcpClosed += 1));
      s.on('error', () => {});
      return new Promise<Socket>((resolve) => s.once('connect', () => resolve(s)));
    });
    const evicted: number[] = [];
    const ws = await openMany(IDLE_WS, 200, () => {
      const w = new WebSocket(running.ws);
      w.on('close', (code) => evicted.push(code));
      w.on('error', () => {});
      // Open, and the challenge received: the gateway holds it as an unauthenticated session.
      return new Promise<WebSocket>((resolve) => w.once('message', () => resolve(w)));
    });

    const token = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: 'steady',
    });
    const agent = await Agent.create({
      orchestrator: running.ws,
      name: 'steady',
      skills: ['work'],
      key: generateKey(),
      token: token.body.token,
      handleSignals: false,
      logger: quiet,
    });
    agent.handle('work', async (task) => `done ${task.name}`);
    try {
      await agent.start();
      const dag = await submitDag(running.admin, [{ name: 'one', skills: ['work'] }]);
      const state = await poll(async () => {
        const g = await running.admin.get<{ goal: { state: string } }>(`/orchestration/goals/${dag.goal_id}`);
        return g.body.goal.state === 'succeeded' ? g.body.goal.state : undefined;
      });
      expect(state).toBe('succeeded');
    } finally {
      await agent.stop();
    }

    // Every idle TCP socket stayed open throughout; of the silent KLP sockets, those beyond
    // limits.max_unauthenticated_sockets (1,000) were dropped oldest first, with 1013.
    expect(tcpClosed).toBe(0);
    await poll(() => evicted.length >= IDLE_WS - 1_000 + 1);
    expect(new Set(evicted)).toEqual(new Set([1013]));
    const metrics = await (await fetch(`${running.server.url}/metrics`)).text();
    expect(metrics).toMatch(/kind="klp_unauthenticated_evicted"\} (\d+)/);
    console.log(
      `idle sockets: ${tcp.length} TCP + ${ws.length} KLP open; ${evicted.length} KLP evicted; the agent completed its task`,
    );
    for (const s of tcp) s.destroy();
    for (const w of ws) w.terminate();
  }, 60_000);
});
