/**
 * Goals planned by the LLM planner agent (issue 14, docs/planning.md), end to end with real
 * processes: an orchestrator (@kos/testing), the planner of @kos/llm-planner and a worker, each
 * run by `kos agent run` over KLP. The model is the one part that is not real: a scripted HTTP
 * server speaking the chat-completions protocol, started by this test — the LLM stand-in at the
 * outside boundary. The planner reaches it through the official `openai` client over a socket.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent, WireGoal } from '@kos/contracts';
import { poll, useServer, type Http } from '@kos/testing';
import { startScriptedLlm, type ScriptedLlm } from '../../llm-planner/src/scripted-llm.ts';
import { fastTimersConfig } from './fixtures.ts';
import { CLI_MAIN, TSX } from './fleet-stack.ts';

const PLANNER = fileURLToPath(new URL('../../llm-planner/src/main.ts', import.meta.url));
const WORKER = fileURLToPath(new URL('./planning-worker.ts', import.meta.url));
const WORKER_SKILLS = 'fetch,summarize,data_collection,data_analysis,reporting';
/** The planner's wait for one answer; the scripted "timeout" answer comes later than this. */
const LLM_TIMEOUT_MS = 1_000;

let llm: ScriptedLlm;
const children: ChildProcess[] = [];

/** A real agent process (`kos agent run <module>`); resolves once the orchestrator lists it active. */
async function startAgent(
  server: { url: string; dataDir: string },
  admin: Http,
  module: string,
  name: string,
  env: Record<string, string>,
): Promise<void> {
  const args = ['--import', TSX, CLI_MAIN, 'agent', 'run', module, '--url', server.url];
  args.push('--data-dir', server.dataDir, '--name', name, '--exit-with-parent');
  const child = spawn(process.execPath, args, {
    env: { ...process.env, KOS_DATA_DIR: server.dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.push(child);
  const out: string[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => out.push(d.toString()));
  await poll(
    async () => {
      const r = await admin.get<{ agents: { name: string; state: string }[] }>('/orchestration/agents');
      return r.body.agents.some((a) => a.name === name && a.state === 'active');
    },
    { timeoutMs: 30_000, what: `agent ${name} active (its output: ${out.join('')})` },
  );
}

describe('goals planned by the LLM planner agent', () => {
  const running = useServer(() => ({
    configFile: fastTimersConfig('planner:\n  unmatched_goals: planner\n  max_repairs: 2\n'),
  }));

  beforeAll(async () => {
    llm = await startScriptedLlm();
    const { server, admin } = running;
    const llmEnv = {
      KOS_LLM_URL: llm.url,
      KOS_LLM_MODEL: 'scripted',
      KOS_LLM_KEY: 'none',
      KOS_LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS),
    };
    await startAgent(server, admin, PLANNER, 'llm-planner', llmEnv);
    await startAgent(server, admin, WORKER, 'worker', {
      KOS_TEST_AGENT: 'worker',
      KOS_TEST_SKILLS: WORKER_SKILLS,
    });
  }, 90_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await llm?.close();
  });

  const submit = async (body: Record<string, unknown>) => {
    const r = await running.admin.post<{ goal_id: string; goal: WireGoal }>('/orchestration/decompose', body);
    expect(r.status).toBe(201);
    return r.body;
  };
  const settled = (id: string) =>
    poll(
      async () => {
        const g = (await running.admin.get<{ goal: WireGoal }>(`/orchestration/goals/${id}`)).body.goal;
        return ['succeeded', 'failed', 'cancelled'].includes(g.state) ? g : undefined;
      },
      { timeoutMs: 30_000, what: `goal ${id} settled` },
    );
  const planEvents = async (id: string) =>
    (await running.admin.get<{ events: WireEvent[] }>(`/orchestration/events?goal_id=${id}&limit=1000`)).body
      .events;
  const verdicts = async (id: string) =>
    (await planEvents(id)).filter((e) => e.kind === 'plan.verdict').map((e) => e.data);

  it('validates a goal’s plan, repairs a cycle once, expands it and completes it with a real worker', async () => {
    const cyclic = {
      tasks: [
        { name: 'Fetch', skills: ['fetch'], depends_on: ['Summarize'] },
        { name: 'Summarize', skills: ['summarize'], depends_on: ['Fetch'] },
      ],
    };
    const valid = {
      tasks: [
        { name: 'Fetch', skills: ['fetch'] },
        { name: 'Summarize', skills: ['summarize'], depends_on: ['Fetch'] },
      ],
    };
    llm.script({ content: JSON.stringify(cyclic) }, { content: JSON.stringify(valid) });
    const from = llm.requests.length;
    // No template but the fallback matches "summarize": planner.unmatched_goals sends it to the planner.
    const submitted = await submit({ goal: 'summarize the news of the day' });
    expect(submitted.goal).toMatchObject({ state: 'planning', template: 'planner' });
    const goal = await settled(submitted.goal_id);
    expect(goal).toMatchObject({
      state: 'succeeded',
      template: 'planner',
      task_count: 4,
      succeeded_count: 4,
    });

    expect(await verdicts(goal.id)).toMatchObject([
      { round: 0, accepted: false, next: 'repair', problems: [{ code: 'KOS_ERR_DAG_CYCLE' }] },
      { round: 1, accepted: true, next: 'expand', problems: [] },
    ]);
    // The repair round told the model what was wrong.
    const repairAsk = llm.requests[from + 1]!.messages.at(-1)!.content;
    expect(repairAsk).toContain('KOS_ERR_DAG_CYCLE');
    expect(repairAsk).toContain('Fetch → Summarize → Fetch');
    const tasks = (
      await running.admin.get<{ tasks: { name: string; result: unknown }[] }>(
        `/orchestration/goals/${goal.id}`,
      )
    ).body.tasks;
    expect(tasks.find((t) => t.name === 'Summarize')?.result).toEqual({
      done: 'Summarize',
      skill: 'summarize',
    });

    // kos goals show tells the planning story.
    const shown = spawnSync(
      process.execPath,
      [
        '--import',
        TSX,
        CLI_MAIN,
        '--url',
        running.server.url,
        '--token',
        running.server.adminToken,
        'goals',
        'show',
        goal.id,
      ],
      { encoding: 'utf8' },
    );
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(
      /planning\n {2}round 0: proposed 2 tasks\n {4}rejected → repair\n {6}KOS_ERR_DAG_CYCLE/,
    );
    expect(shown.stdout).toContain('plan accepted (planner, template planner): Fetch, Summarize');
  }, 60_000);

  it('counts garbage, a timeout and an unknown skill as rejected rounds, then falls back to the goal’s template', async () => {
    llm.script(
      { content: 'Of course! First, gather the data. Then…' },
      { content: '{"tasks":[]}', delayMs: LLM_TIMEOUT_MS * 3 },
      { content: JSON.stringify({ tasks: [{ name: 'Teleport', skills: ['teleportation'] }] }) },
    );
    const submitted = await submit({ goal: 'analyze the churn of Q4', planner: 'llm' });
    const goal = await settled(submitted.goal_id);
    expect(goal).toMatchObject({ state: 'succeeded', template: 'analysis', task_count: 6 });
    expect(await verdicts(goal.id)).toMatchObject([
      {
        round: 0,
        next: 'repair',
        problems: [{ code: 'KOS_ERR_PLANNER_FAILED', message: expect.stringContaining('unparseable') }],
      },
      {
        round: 1,
        next: 'repair',
        problems: [{ code: 'KOS_ERR_PLANNER_FAILED', message: expect.stringContaining('timeout') }],
      },
      {
        round: 2,
        next: 'fallback',
        problems: [{ code: 'KOS_ERR_PLAN_SKILL_MISSING', path: 'tasks/0/skills/0' }],
      },
    ]);
    const accepted = (await planEvents(goal.id)).find((e) => e.kind === 'plan.accepted');
    expect(accepted?.data).toMatchObject({ source: 'fallback', template: 'analysis' });
  }, 60_000);

  it('fails a goal no template takes with KOS_ERR_PLAN_REJECTED and the last problems', async () => {
    const schemaInvalid = { tasks: [{ name: 'A', skills: ['fetch'], owner: 'me' }] };
    llm.script(
      { content: JSON.stringify(schemaInvalid) },
      { content: JSON.stringify({ tasks: [{ name: 'A', skills: ['fetch'], depends_on: ['Z'] }] }) },
      { content: 'null' },
    );
    const submitted = await submit({ goal: 'summarize the weather', planner: 'llm-planner' });
    const goal = await settled(submitted.goal_id);
    expect(goal).toMatchObject({ state: 'failed', template: 'planner', task_count: 3 });
    const ended = (await planEvents(goal.id)).find((e) => e.kind === 'goal.state' && e.data.to === 'failed');
    expect(ended?.data).toMatchObject({
      from: 'planning',
      code: 'KOS_ERR_PLAN_REJECTED',
      problems: [{ code: 'KOS_ERR_VALIDATION', path: '' }],
    });
    expect(await verdicts(goal.id)).toMatchObject([
      { problems: [{ code: 'KOS_ERR_VALIDATION', path: 'tasks/0' }] },
      { problems: [{ code: 'KOS_ERR_DAG_UNKNOWN_DEPENDENCY', path: 'tasks/0/depends_on/0' }] },
      { next: 'fail' },
    ]);
  }, 60_000);

  it('refuses a planner together with tasks or a template, or a malformed planner name, storing nothing', async () => {
    const before = (await running.admin.get<{ goals: WireGoal[] }>('/orchestration/goals')).body.goals.length;
    for (const body of [
      { goal: 'summarize it', planner: 'llm', template: 'analysis' },
      { goal: 'summarize it', planner: 'llm', tasks: [{ name: 'a', skills: ['fetch'] }] },
      { goal: 'summarize it', planner: 'two words' },
    ]) {
      const r = await running.admin.post<{ error: { code: string } }>('/orchestration/decompose', body);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('KOS_ERR_VALIDATION');
    }
    expect((await running.admin.get<{ goals: WireGoal[] }>('/orchestration/goals')).body.goals).toHaveLength(
      before,
    );
  });
});
