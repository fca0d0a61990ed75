/**
 * A2A out: remote A2A agents (the official A2A server SDK, each in its own process) registered
 * from their cards through POST /orchestration/a2a/agents, driven by a real orchestrator process.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { poll, useServer, type Http } from '@kos/testing';
import { addRemote, receivedTask, startRemote, type Remote } from './a2a-remote.ts';
import { configFile, getTask, submitDag } from './fixtures.ts';

/** Presence probes every 500 ms; a silent remote loses its lease in 2.5 s, a dead one its presence in 1.5 s. */
const config = (): string =>
  configFile([
    'heartbeat:\n  ttl_ms: 1500\n  sweep_interval_ms: 100',
    'leases:\n  ttl_ms: 2500',
    'retry:\n  base_delay_ms: 10\n  max_delay_ms: 50',
    'log:\n  level: info',
  ]);

interface TaskBody {
  task: { state: string; result: unknown; agent_id: string | null; epoch: number; attempts: number };
  history: { kind: string; data: Record<string, unknown> }[];
}

const taskOf = async (admin: Http, id: string) =>
  (await admin.get<TaskBody>(`/orchestration/tasks/${id}`)).body;
const goalState = async (admin: Http, id: string) =>
  (await admin.get<{ goal: { state: string } }>(`/orchestration/goals/${id}`)).body.goal.state;
/** How many times the task entered `succeeded`: exactly once, whatever ran twice. */
const completions = (body: TaskBody) =>
  body.history.filter((e) => e.kind === 'task.state' && e.data['to'] === 'succeeded').length;

describe('A2A out: remote A2A agents as kOS workers', () => {
  const running = useServer(() => ({ configFile: config() }));
  const remotes: Remote[] = [];
  const start = async (...args: Parameters<typeof startRemote>) => {
    const r = await startRemote(...args);
    remotes.push(r);
    return r;
  };
  afterAll(async () => {
    await Promise.all(remotes.map((r) => r.kill()));
  });

  it('registers a remote from its card, sends it each lease as a message with its token, and completes the goal with its results', async () => {
    const remote = await start('translator', { skills: ['translate'], token: 'remote-secret' });
    const added = await addRemote(running.admin, remote, { token: 'remote-secret' });
    expect(added.created).toBe(true);
    expect(added.agent).toMatchObject({ name: 'translator', state: 'active' });
    expect(added.agent.skills).toEqual(['translate', 'tag-translate']);
    expect(added.remote).toMatchObject({
      card_url: remote.cardUrl,
      card_name: 'translator',
      has_token: true,
    });

    const dag = await submitDag(running.admin, [
      { name: 'first', skills: ['translate'], input: { prompt: 'bonjour' } },
      { name: 'second', skills: ['tag-translate'], depends_on: ['first'], input: { n: 2 } },
    ]);
    await poll(async () => (await goalState(running.admin, dag.goal_id)) === 'succeeded', {
      timeoutMs: 20_000,
      what: 'the goal to succeed',
    });
    const [first, second] = dag.subtasks;
    const firstBody = await taskOf(running.admin, first!.id);
    expect(firstBody.task.result).toEqual({ by: 'translator', input: { prompt: 'bonjour' } });
    expect(completions(firstBody)).toBe(1);
    expect((await taskOf(running.admin, second!.id)).task.result).toEqual({
      by: 'translator',
      input: { n: 2 },
    });
    // One message per lease, its id derived from the task and the lease epoch (epoch 1 unless the
    // loaded machine made a lease late and the task was leased again).
    const ids = remote.received.map((r) => r.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(`kos:${first!.id}:${firstBody.task.epoch}`);
    expect(ids[0]).toBe(`kos:${first!.id}:1`);

    const listed = await running.admin.get<{
      agents: { agent: { id: string }; remote: Record<string, unknown> }[];
    }>('/orchestration/a2a/agents');
    expect(listed.body.agents.map((a) => a.agent.id)).toContain(added.agent.id);
    expect(JSON.stringify(listed.body)).not.toContain('remote-secret');
    // Adding the same card again is the same agent: unchanged, nothing is written; a new token is kept.
    const again = await addRemote(running.admin, remote, { token: 'remote-secret' });
    expect(again).toMatchObject({ created: false, agent: { id: added.agent.id } });
    expect(again.remote.updated_at).toBe(added.remote.updated_at);
    const renewed = await addRemote(running.admin, remote, {});
    expect(renewed).toMatchObject({
      created: false,
      agent: { id: added.agent.id },
      remote: { has_token: false },
    });
    expect(renewed.remote.updated_at > added.remote.updated_at).toBe(true);
  });

  it('drives a remote whose card offers no streaming through message/send, its final task the result', async () => {
    const plain = await start('plain', { skills: ['plain'], streaming: false });
    await addRemote(running.admin, plain);
    const dag = await submitDag(running.admin, [{ name: 'once', skills: ['plain'], input: 'as text' }]);
    await poll(async () => (await goalState(running.admin, dag.goal_id)) === 'succeeded', {
      what: 'the goal to succeed on the non-streaming remote',
    });
    const body = await taskOf(running.admin, dag.subtasks[0]!.id);
    expect(body.task.result).toEqual({ by: 'plain', input: 'as text' });
  });

  it('reassigns the task of a remote killed with kill -9 to another remote; the goal completes once', async () => {
    const doomed = await start('doomed', { skills: ['crash'], mode: 'hang' });
    // Started now, registered once the doomed one holds the task (within its lease TTL).
    const heir = await start('heir', { skills: ['crash'] });
    await addRemote(running.admin, doomed);
    const dag = await submitDag(running.admin, [{ name: 'survive', skills: ['crash'] }]);
    const taskId = dag.subtasks[0]!.id;
    await receivedTask(doomed, taskId);
    const heirAgent = await addRemote(running.admin, heir);
    await doomed.kill();

    await poll(async () => (await goalState(running.admin, dag.goal_id)) === 'succeeded', {
      timeoutMs: 20_000,
      what: 'the goal to succeed on the second remote',
    });
    const body = await taskOf(running.admin, taskId);
    // Epoch 2 normally; more when the loaded machine made a lease or a presence probe late.
    expect(body.task).toMatchObject({ state: 'succeeded', agent_id: heirAgent.agent.id });
    expect(body.task.epoch).toBeGreaterThanOrEqual(2);
    expect(body.task.result).toEqual({ by: 'heir', input: null });
    expect(completions(body)).toBe(1);
    expect(heir.received.map((r) => r.messageId)).toContain(`kos:${taskId}:${body.task.epoch}`);
    expect(doomed.received[0]?.messageId).toBe(`kos:${taskId}:1`);
  });

  it('revokes the lease of a slow remote (no events past the lease TTL), cancels its task there, and another remote completes it', async () => {
    const slow = await start('slow', { skills: ['ponder'], mode: 'hang' });
    const quick = await start('quick', { skills: ['ponder'] });
    await addRemote(running.admin, slow);
    const dag = await submitDag(running.admin, [{ name: 'think', skills: ['ponder'] }]);
    const taskId = dag.subtasks[0]!.id;
    const first = await receivedTask(slow, taskId);
    const quickAgent = await addRemote(running.admin, quick);

    // The slow remote stays reachable (its presence is fine) but says nothing about the task.
    await poll(() => slow.cancelled.includes(first.a2aTask), {
      timeoutMs: 20_000,
      what: 'tasks/cancel for the slow remote’s task',
    });
    await poll(async () => (await goalState(running.admin, dag.goal_id)) === 'succeeded', {
      timeoutMs: 20_000,
      what: 'the goal to succeed',
    });
    const body = await taskOf(running.admin, taskId);
    expect(completions(body)).toBe(1);
    expect(body.task.agent_id).toBe(quickAgent.agent.id);
    expect(
      body.history.some((e) => e.kind === 'task.lease_revoked' && e.data['reason'] === 'lease_expired'),
    ).toBe(true);
  });

  it('sends tasks/cancel to the remote when its task is cancelled, and the task settles as cancelled', async () => {
    const busy = await start('busy', { skills: ['long'], mode: 'hang' });
    await addRemote(running.admin, busy);
    const dag = await submitDag(running.admin, [{ name: 'forever', skills: ['long'] }]);
    const taskId = dag.subtasks[0]!.id;
    const got = await receivedTask(busy, taskId);
    const res = await running.admin.post(`/orchestration/goals/${dag.goal_id}/cancel`, {
      reason: 'not needed',
    });
    expect(res.status).toBe(200);
    await poll(() => busy.cancelled.includes(got.a2aTask), { what: 'tasks/cancel at the remote' });
    await poll(async () => (await getTask(running.admin, taskId)).state === 'cancelled', {
      what: 'the task to be cancelled',
    });
  });

  it('fails a task the remote answers with failed, retrying it, and sends input-required to the dead letters with the question', async () => {
    const failing = await start('failing', { skills: ['refuse'], mode: 'fail' });
    await addRemote(running.admin, failing);
    const asking = await start('asking', { skills: ['ask'], mode: 'input' });
    await addRemote(running.admin, asking);
    // Two goals: a dead task fails its goal fast, which would skip the other.
    const [refused] = (
      await submitDag(running.admin, [
        { name: 'refused', skills: ['refuse'], policy: { retry: { max_attempts: 2 } } },
      ])
    ).subtasks;
    const [asked] = (
      await submitDag(running.admin, [
        { name: 'asked', skills: ['ask'], policy: { retry: { max_attempts: 3 } } },
      ])
    ).subtasks;
    await poll(async () => (await getTask(running.admin, refused!.id)).state === 'dead', {
      what: 'refused dead',
    });
    const r = (await taskOf(running.admin, refused!.id)).task as TaskBody['task'] & {
      error: { code: string };
    };
    expect(r.attempts).toBe(2);
    expect(r.error.code).toBe('a2a_failed');
    await poll(async () => (await getTask(running.admin, asked!.id)).state === 'dead', {
      what: 'asked dead',
    });
    const a = (await taskOf(running.admin, asked!.id)).task as TaskBody['task'] & {
      error: { code: string; message: string };
    };
    expect(a.attempts).toBe(1);
    expect(a.error).toMatchObject({ code: 'a2a_input_required', message: 'which one?' });
    await poll(() => asking.cancelled.length === 1, { what: 'tasks/cancel for the question' });
  });
});
