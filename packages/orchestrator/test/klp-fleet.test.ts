import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Agent } from '@kos/agent';
import { type Envelope } from '@kos/protocol';
import { generateKey, saveKey } from '@kos/protocol/node';
import { poll, tempDir, useServer } from '@kos/testing';
import { fastTimersConfig, getTask, submitDag } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

const AGENT_PROCESS = fileURLToPath(new URL('./fixtures/agent-process.ts', import.meta.url));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
// heartbeat.ttl_ms and sweep_interval_ms of fastTimersConfig().
const HEARTBEAT_TTL_MS = 600;
const SWEEP_MS = 100;

describe('agents over KLP at fleet scale (default timers)', () => {
  const running = useServer();

  const token = async (name: string) =>
    (
      await running.admin.post<{ token: string }>('/orchestration/tokens', {
        role: 'agent',
        agent_name: name,
      })
    ).body.token;

  it('gives work to every one of 200 agents connected from one process', async () => {
    const ran = new Map<string, number>();
    const agents = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const name = `crowd-${i}`;
        const agent = await Agent.create({
          orchestrator: running.ws,
          name,
          skills: ['crowd'],
          key: generateKey(),
          token: await token(name),
          maxParallel: 1,
          handleSignals: false,
          logger: quiet,
        });
        agent.handle('crowd', async (task) => {
          ran.set(name, (ran.get(name) ?? 0) + 1);
          return task.name;
        });
        await agent.start();
        return agent;
      }),
    );
    try {
      const dag = await submitDag(
        running.admin,
        Array.from({ length: 400 }, (_, i) => ({ name: `t${i}`, skills: ['crowd'] })),
      );
      await poll(
        async () =>
          (await running.admin.get<{ goal: { state: string } }>(`/orchestration/goals/${dag.goal_id}`)).body
            .goal.state === 'succeeded',
        { timeoutMs: 60_000, what: '400 tasks over 200 agents' },
      );
      expect(ran.size).toBe(200);
      expect([...ran.values()].reduce((a, b) => a + b, 0)).toBe(400);
    } finally {
      await Promise.all(agents.map((a) => a.stop()));
    }
  }, 120_000);
});

describe('agents over KLP in separate processes (heartbeat TTL 600 ms)', () => {
  const running = useServer(() => ({ configFile: fastTimersConfig() }));

  const token = async (name: string) =>
    (
      await running.admin.post<{ token: string }>('/orchestration/tokens', {
        role: 'agent',
        agent_name: name,
      })
    ).body.token;

  it('reassigns the task of an agent killed with -9 within the heartbeat TTL plus one sweep, and refuses its late result', async () => {
    const dir = tempDir('kos-agent-');
    const keyFile = path.join(dir, 'victim.key');
    const key = generateKey();
    await saveKey(keyFile, key);
    const child = spawn(process.execPath, ['--import', 'tsx', AGENT_PROCESS], {
      env: {
        ...process.env,
        KOS_WS: running.ws,
        AGENT_NAME: 'victim',
        AGENT_KEY: keyFile,
        AGENT_TOKEN: await token('victim'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) =>
      lines.push(JSON.parse(l) as Record<string, unknown>),
    );
    await poll(() => lines.some((l) => l.ready), { what: 'the agent process to connect' });

    const dag = await submitDag(running.admin, [{ name: 'victim-task', skills: ['slow'] }]);
    const taskId = dag.subtasks[0]!.id;
    await poll(() => lines.some((l) => l.started === taskId), { what: 'the agent to start the task' });
    await poll(async () => (await getTask(running.admin, taskId)).state === 'running');

    const killedAt = Date.now();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // Another agent is there to take the task over.
    const rescued: string[] = [];
    const rescuer = await Agent.create({
      orchestrator: running.ws,
      name: 'rescuer',
      skills: ['slow'],
      key: generateKey(),
      token: await token('rescuer'),
      handleSignals: false,
      logger: quiet,
    });
    rescuer.handle('slow', (task) => {
      rescued.push(task.id);
      return 'rescued';
    });
    await rescuer.start();
    try {
      await poll(async () => (await getTask(running.admin, taskId)).state === 'succeeded', {
        what: 'the rescue',
      });
      expect(rescued).toEqual([taskId]);
      const history = await running.admin.get<{
        history: { kind: string; at: string; data: { reason?: string } }[];
      }>(`/orchestration/tasks/${taskId}`);
      const revoked = history.body.history.find((e) => e.kind === 'task.lease_revoked');
      expect(revoked?.data.reason).toBe('agent_lost');
      // The agent's last heartbeat came at most one interval before the kill, so the loss is noticed
      // within the TTL plus one sweep; 250 ms covers process scheduling on a loaded 2-core machine.
      expect(Date.parse(revoked!.at) - killedAt).toBeLessThanOrEqual(HEARTBEAT_TTL_MS + SWEEP_MS + 250);

      // The killed agent comes back (same key, new process) and sends its old result: refused.
      const back = await RawKlp.connect(running.server.url, 'victim');
      expect((await back.hello(key, ['slow'])).type).toBe('welcome');
      const late = back.send(
        'TASK_RESULT',
        { task_id: taskId, epoch: 1, status: 'succeeded', result: 'late' },
        key,
      );
      const answer = (await back.replyTo(late.id)) as Envelope<'error'>;
      expect(answer.payload.code).toBe('KOS_ERR_STALE_EPOCH');
      expect(await getTask(running.admin, taskId)).toMatchObject({ state: 'succeeded', epoch: 2 });
      back.close();
    } finally {
      await rescuer.stop();
    }
  });
});
