// One agent process of the benchmark: K SDK agents over real WebSockets, trivial handlers.
// Spawned by peers/kos.ts with `process.execPath --import tsx` and an IPC channel:
//   argv: <ws url[,more replicas' ws urls]> <http url> <admin token> <name prefix> <agents> <max parallel>
// It creates its agents' tokens itself, says `ready`, reports each task start when the task asks
// (`input.report`), and on `report` sends how often it ran every task and any chain-order breach.
import { Agent } from '@kos/agent';
import { generateKey } from '@kos/protocol/node';
import { Http } from '@kos/testing';
import type { ChildMessage, ParentMessage } from './ipc.ts';

const [wsUrl, httpUrl, adminToken, prefix, count, parallel] = process.argv.slice(2);
if (!wsUrl || !httpUrl || !adminToken || !prefix || !count || !parallel) {
  throw new Error('usage: agent-process <ws url> <http url> <admin token> <prefix> <agents> <max parallel>');
}
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const admin = new Http(httpUrl, adminToken);
const runs = new Map<string, number>();
const breaches: string[] = [];
const send = (m: ChildMessage) => process.send?.(m);

interface BenchInput {
  /** Position in a chain: the upstream result must be the position before. */
  chain?: number;
  /** Send a `started` message with the wall-clock start time. */
  report?: boolean;
}

const agents = await Promise.all(
  Array.from({ length: Number(count) }, async (_, i) => {
    const name = `${prefix}-${i}`;
    const answer = await admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: name,
    });
    const agent = await Agent.create({
      orchestrator: wsUrl.split(','),
      name,
      skills: ['noop'],
      key: generateKey(),
      token: answer.body.token,
      maxParallel: Number(parallel),
      handleSignals: false,
      logger: quiet,
    });
    agent.handle('noop', (task) => {
      const input = (task.input ?? {}) as BenchInput;
      if (input.report)
        send({ kind: 'started', task: task.id, at: performance.timeOrigin + performance.now() });
      runs.set(task.id, (runs.get(task.id) ?? 0) + 1);
      if (input.chain !== undefined && input.chain > 0) {
        const up = Object.values(task.upstream);
        if (up.length !== 1 || up[0] !== input.chain - 1) {
          breaches.push(`chain ${input.chain} ran with upstream ${JSON.stringify(up)}`);
        }
      }
      return input.chain ?? 0;
    });
    await agent.start();
    return agent;
  }),
);

process.on('message', (m: ParentMessage) => {
  if (m.kind === 'report') {
    send({ kind: 'report', runs: [...runs], breaches });
    runs.clear();
    breaches.length = 0;
  } else if (m.kind === 'stop') {
    void Promise.all(agents.map((a) => a.stop())).finally(() => process.exit(0));
  }
});
send({ kind: 'ready' });
