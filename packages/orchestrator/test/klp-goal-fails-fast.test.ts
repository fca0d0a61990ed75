import { afterEach, describe, expect, it } from 'vitest';
import { Agent, type TaskHandler } from '@kos/agent';
import type { Envelope } from '@kos/protocol';
import { generateKey, type AgentKey } from '@kos/protocol/node';
import { poll, useServer } from '@kos/testing';
import { configFile, submitDag } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

const GRACE_MS = 2_000;

/**
 * One attempt per task, so a lease an agent gives back or leaves kills its task, and the goal
 * (fail_fast, the default policy) cancels its other tasks; heartbeats and leases outlive a test.
 */
const config = () =>
  configFile([
    'heartbeat:\n  ttl_ms: 20000\n  sweep_interval_ms: 100',
    'leases:\n  ttl_ms: 20000',
    `cancellation:\n  grace_ms: ${GRACE_MS}`,
    'retry:\n  max_attempts: 1',
  ]);

interface TaskBody {
  task: { id: string; state: string; error: { code: string } | null };
  history: { kind: string; data: Record<string, unknown> }[];
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const agents: Agent[] = [];
const raws: RawKlp[] = [];
afterEach(async () => {
  for (const klp of raws.splice(0)) klp.close();
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * An agent's own frame (rollback, handover `return`, disconnect) ends its lease on the task's last
 * attempt; the task dies and the goal fails fast, cancelling a task another agent runs. That
 * other agent must be told (a rollback with ack_by), stop, acknowledge, and the task end
 * cancelled without penalty, not be revoked later as lost against it.
 */
describe('a goal failing fast because an agent left its lease over KLP', () => {
  const running = useServer(() => ({ configFile: config() }));

  async function agentToken(name: string): Promise<string> {
    const res = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: name,
    });
    return res.body.token;
  }

  async function sdkAgent(name: string, skill: string, handler: TaskHandler): Promise<Agent> {
    const agent = await Agent.create({
      orchestrator: running.ws,
      name,
      skills: [skill],
      key: generateKey(),
      token: await agentToken(name),
      logger: quiet,
      handleSignals: false,
      maxParallel: 1,
      heartbeatIntervalMs: 200,
    });
    agent.handle(skill, handler);
    agents.push(agent);
    await agent.start();
    return agent;
  }

  /** A handler that runs until its signal aborts, and tells why. */
  function untilAborted() {
    const started = deferred();
    const aborted = deferred<unknown>();
    const handler: TaskHandler = async (_task, ctx) => {
      started.resolve();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      aborted.resolve(ctx.signal.reason);
      return 'stopped';
    };
    return { started: started.promise, aborted: aborted.promise, handler };
  }

  /** A leaving agent: it takes the goal's first task, then leaves its lease in its own way. */
  interface Leaver {
    skill: string;
    holding: Promise<void>;
    leave(): Promise<void>;
  }

  /** Spoken by hand: the SDK never sends these frames for a task it runs. */
  async function rawLeaver(
    tag: string,
    frame: (klp: RawKlp, key: AgentKey, req: Envelope<'TASK_REQUEST'>) => Envelope,
  ): Promise<Leaver> {
    const name = `leaver-${tag}`;
    const skill = `leave-${tag}`;
    const key = generateKey();
    const klp = await RawKlp.connect(running.server.url, name);
    raws.push(klp);
    expect((await klp.hello(key, [skill], await agentToken(name), 1)).type).toBe('welcome');
    const request = klp.next((e) => e.type === 'TASK_REQUEST') as Promise<Envelope<'TASK_REQUEST'>>;
    return {
      skill,
      holding: request.then(() => undefined),
      async leave() {
        const sent = frame(klp, key, await request);
        expect((await klp.replyTo(sent.id)).type).toBe('ack');
      },
    };
  }

  async function failsFastWithoutLoss(leaver: Leaver, tag: string): Promise<void> {
    const other = untilAborted();
    const skill = `stay-${tag}`;
    await sdkAgent(`stayer-${tag}`, skill, other.handler);
    const dag = await submitDag(running.admin, [
      { name: 'leaving', skills: [leaver.skill] },
      { name: 'staying', skills: [skill] },
    ]);
    await Promise.all([leaver.holding, other.started]);
    await leaver.leave();

    const stayingId = dag.subtasks.find((t) => t.name === 'staying')!.id;
    // Told to stop as for a cancel (rollback with ack_by), not as a lost lease after the deadline.
    expect(String(await other.aborted)).toMatch(/^Error: cancelled/);
    const staying = await poll(
      async () => {
        const body = (await running.admin.get<TaskBody>(`/orchestration/tasks/${stayingId}`)).body;
        return body.task.state === 'cancelled' ? body : undefined;
      },
      { what: 'the other agent’s task to end cancelled', timeoutMs: GRACE_MS * 3 },
    );
    expect(staying.task.error?.code).toBe('skipped.goal_failed');
    expect(staying.history.find((e) => e.data.to === 'cancelled')?.data).toMatchObject({
      reason: 'acknowledged',
    });
    expect(staying.history.some((e) => e.kind === 'task.lease_revoked')).toBe(false);
    const goal = await running.admin.get<{ goal: { state: string } }>(`/orchestration/goals/${dag.goal_id}`);
    expect(goal.body.goal.state).toBe('failed');
  }

  it('tells the other agent when a rollback ended the lease', async () => {
    const leaver = await rawLeaver('rb', (klp, key, req) =>
      klp.send(
        'rollback',
        { task_id: req.payload.task_id, epoch: req.payload.epoch, reason: 'giving it back' },
        key,
      ),
    );
    await failsFastWithoutLoss(leaver, 'rb');
  });

  it('tells the other agent when a handover (return) ended the lease', async () => {
    const leaver = await rawLeaver('ho', (klp, key) => klp.send('handover', { mode: 'return' }, key));
    await failsFastWithoutLoss(leaver, 'ho');
  });

  it('tells the other agent when a disconnect ended the lease', async () => {
    const name = 'leaver-dc';
    const skill = 'leave-dc';
    const own = untilAborted();
    const agent = await sdkAgent(name, skill, own.handler);
    // Agent.stop() aborts its handlers and sends a signed disconnect.
    await failsFastWithoutLoss({ skill, holding: own.started, leave: () => agent.stop() }, 'dc');
    // Its own lease ended by unregistering: counted by the reason of its task.lease_revoked event.
    const metrics = (await running.admin.get<string>('/metrics')).body;
    expect(metrics).toMatch(/kos_lease_revocations_total\{reason="agent_unregistered"\} [1-9]/);
  });
});
