// fleet: many connected agents heartbeating every second (simulated from a few processes);
// orchestrator CPU and heartbeat round-trip p50/p99 over a measurement window. kOS only: the
// peers have no connected-worker heartbeat to compare.
import { fileURLToPath } from 'node:url';
import { profileArgs, startKos } from '../peers/kos.ts';
import { ask, cpuSeconds, forkReady, stopChild } from '../proc.ts';
import { percentile } from '../stats.ts';
import type { Workload } from '../workload.ts';

const SCRIPT = fileURLToPath(new URL('../fleet-process.ts', import.meta.url));
const PROCESSES = 4;
const clientsOf = (quick: boolean) => (quick ? 40 : 1_000);
const windowOf = (quick: boolean) => (quick ? 2_000 : 10_000);

export const fleet: Workload = {
  name: 'fleet',
  size: (q) =>
    `${clientsOf(q).toLocaleString('en-US')} agents in ${PROCESSES} processes, heartbeat 1/s, ${windowOf(q) / 1000} s window`,
  measures: [
    { key: 'cpu', label: 'orchestrator CPU', unit: '% of a core', better: 'lower' },
    { key: 'p50', label: 'heartbeat round trip p50', unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'heartbeat round trip p99', unit: 'ms', better: 'lower' },
    { key: 'lost', label: "heartbeating agents marked 'lost' at the end", unit: 'agents', better: 'lower' },
  ],

  async kos(ctx, mode) {
    const kos = await startKos({ mode, nodeArgs: profileArgs(ctx.profileDir) });
    const pid = kos.server.process.pid as number;
    const n = clientsOf(ctx.quick);
    const children = await Promise.all(
      Array.from({ length: PROCESSES }, (_, p) =>
        forkReady(SCRIPT, [
          kos.ws,
          kos.server.url,
          kos.server.adminToken,
          `fleet-p${p}`,
          String(Math.ceil(n / PROCESSES)),
        ]),
      ),
    );
    try {
      // Settle for two heartbeats, drop what was measured while connecting, then measure a window.
      await new Promise((r) => setTimeout(r, 2_000));
      await Promise.all(children.map((c) => ask(c, 'rtts')));
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, windowOf(ctx.quick)));
      const cpu = ((cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
      const answers = await Promise.all(children.map((c) => ask(c, 'rtts')));
      const rtts = answers.flatMap((a) => (a.kind === 'rtts' ? a.values : []));
      const errors = answers.reduce((s, a) => s + (a.kind === 'rtts' ? a.errors : 0), 0);
      const problems: string[] = [];
      const expected = (n * windowOf(ctx.quick)) / 1000;
      if (rtts.length < expected * 0.8)
        problems.push(`${rtts.length} heartbeat round trips, expected ~${expected}`);
      if (errors > 0) problems.push(`${errors} error/alert frames from the orchestrator`);
      // An agent that heartbeats every second must never be declared lost (heartbeat TTL 15 s).
      const status = await kos.admin.get<{ agents: { by_state: Record<string, number> } }>(
        '/orchestration/status',
      );
      const lost = status.body.agents.by_state.lost ?? 0;
      if (lost > 0)
        problems.push(`${lost} heartbeating agents are 'lost': heartbeats are processed too late`);
      return { figures: { cpu, p50: percentile(rtts, 50), p99: percentile(rtts, 99), lost }, problems };
    } finally {
      await Promise.all(children.map(stopChild));
      await kos.server.stop();
      kos.server.cleanup();
    }
  },
};
