// memory and recovery, kOS only (the peers keep pending jobs in Redis/PostgreSQL, not in a
// process of theirs): peak RSS of the orchestrator holding N pending tasks (no agent connected),
// then kill -9 and restart on the same data directory: restart → listening and restart → first
// task started by an agent connected as soon as the server listens.
import { Agent } from '@kos/agent';
import { generateKey } from '@kos/protocol/node';
import { profileArgs, startKos, submitGoal } from '../peers/kos.ts';
import { peakRssMiB } from '../proc.ts';
import type { Workload } from '../workload.ts';

const pendingOf = (quick: boolean) => (quick ? 2_000 : 100_000);
const PER_GOAL = 10_000;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export const backlog: Workload = {
  name: 'memory+recovery',
  size: (q) =>
    `${pendingOf(q).toLocaleString('en-US')} pending tasks in goals of ${PER_GOAL.toLocaleString('en-US')}`,
  measures: [
    { key: 'rss', label: 'peak RSS with the backlog pending', unit: 'MiB', better: 'lower' },
    { key: 'submit', label: 'backlog submitted', unit: 'tasks/s', better: 'higher' },
    { key: 'listening', label: 'kill -9 → restart → listening', unit: 'ms', better: 'lower' },
    { key: 'dispatch', label: 'kill -9 → restart → first dispatch', unit: 'ms', better: 'lower' },
  ],

  async kos(ctx, mode) {
    const n = pendingOf(ctx.quick);
    const first = await startKos({ mode });
    const dataDir = first.server.dataDir;
    let submitRate: number;
    let rss: number;
    try {
      const t = performance.now();
      for (let g = 0; g * PER_GOAL < n; g++) {
        const size = Math.min(PER_GOAL, n - g * PER_GOAL);
        await submitGoal(
          first.admin,
          `backlog ${g}`,
          Array.from({ length: size }, (_, i) => ({ name: `b${i}` })),
        );
      }
      submitRate = n / ((performance.now() - t) / 1000);
      rss = peakRssMiB(first.server.process.pid as number);
    } finally {
      await first.server.kill();
    }
    const restart = performance.now();
    const second = await startKos({ mode, dataDir, nodeArgs: profileArgs(ctx.profileDir) });
    const listening = performance.now() - restart;
    let agent: Agent | undefined;
    try {
      const token = (
        await second.admin.post<{ token: string }>('/orchestration/tokens', {
          role: 'agent',
          agent_name: 'rescue',
        })
      ).body.token;
      let dispatched = 0;
      const firstTask = new Promise<void>((resolve) => {
        agent = undefined;
        void Agent.create({
          orchestrator: second.ws,
          name: 'rescue',
          skills: ['noop'],
          key: generateKey(),
          token,
          maxParallel: 1,
          handleSignals: false,
          logger: quiet,
        }).then(async (a) => {
          agent = a;
          a.handle('noop', () => {
            if (dispatched++ === 0) resolve();
            return 0;
          });
          await a.start();
        });
      });
      await firstTask;
      const dispatch = performance.now() - restart;
      const status = await second.admin.get<{ tasks: { by_state: Record<string, number> } }>(
        '/orchestration/status',
      );
      const total = Object.values(status.body.tasks.by_state).reduce((s, v) => s + v, 0);
      const problems = total === n ? [] : [`${total} tasks after the restart, ${n} submitted`];
      return { figures: { rss, submit: submitRate, listening, dispatch }, problems };
    } finally {
      await (agent as Agent | undefined)?.stop();
      await second.server.stop();
      second.server.cleanup();
    }
  },
};
