import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanningInput } from '@kos/protocol';
import { resolveLlmPlannerOptions } from './options.ts';
import { createLlmPlanner } from './planner.ts';
import { startScriptedLlm, type ScriptedLlm } from './scripted-llm.ts';

// The LLM stand-in at the outside boundary: a real HTTP server with scripted chat completions.
let llm: ScriptedLlm;
beforeAll(async () => {
  llm = await startScriptedLlm();
});
afterAll(async () => {
  await llm.close();
});

const input: PlanningInput = {
  goal: 'summarize the news',
  context: '',
  round: 0,
  fleet: [{ skill: 'fetch', agents: 2 }],
  limits: {
    max_tasks: 10,
    max_skills_per_task: 4,
    max_input_bytes: 1000,
    max_depth: 5,
    max_critical_path_ms: 1e6,
  },
};
const planner = (timeoutMs = 5_000) =>
  createLlmPlanner(resolveLlmPlannerOptions({ url: llm.url, model: 'scripted', key: 'none', timeoutMs }, {}));

describe('the LLM planner', () => {
  it('asks for json_schema structured output with the plan schema and returns the model’s JSON', async () => {
    const plan = { tasks: [{ name: 'a', skills: ['fetch'] }] };
    llm.script({ content: JSON.stringify(plan) });
    expect(await planner().plan(input)).toEqual(plan);
    const req = llm.requests.at(-1)!;
    expect(req.model).toBe('scripted');
    expect(req.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'kos_plan' } });
    expect(JSON.stringify(req.response_format?.json_schema?.schema)).toContain('depends_on');
    expect(req.messages.at(-1)!.content).toContain('"skill": "fetch"');
  });

  it('sends the rejected proposal and each problem back on a repair round', async () => {
    llm.script({ content: '{"tasks":[{"name":"a","skills":["fetch"]}]}' });
    await planner().plan({
      ...input,
      round: 1,
      previous: {
        proposal: { tasks: [] },
        problems: [
          { code: 'KOS_ERR_DAG_CYCLE', message: 'a → b → a', path: 'tasks/0/depends_on', task: 'a' },
        ],
      },
    });
    expect(llm.requests.at(-1)!.messages.at(-1)!.content).toContain(
      'KOS_ERR_DAG_CYCLE at tasks/0/depends_on: a → b → a',
    );
  });

  it('turns a non-JSON answer into an unparseable failure carrying the raw text, and reads fenced JSON', async () => {
    llm.script({ content: 'Sure! Here is your plan: step 1…' }, { content: '```json\n{"tasks":[]}\n```' });
    expect(await planner().plan(input)).toEqual({
      failure: {
        code: 'unparseable',
        message: expect.stringContaining('not JSON'),
        raw: 'Sure! Here is your plan: step 1…',
      },
    });
    expect(await planner().plan(input)).toEqual({ tasks: [] });
  });

  it('turns an answer slower than its timeout into a timeout failure', async () => {
    llm.script({ content: '{"tasks":[]}', delayMs: 2_000 });
    expect(await planner(200).plan(input)).toEqual({
      failure: { code: 'timeout', message: expect.stringContaining('within 200 ms') },
    });
  });

  it('fails the task retryably on a 5xx and for good on a 401', async () => {
    llm.script({ status: 503, error: 'overloaded' }, { status: 401, error: 'bad key' });
    await expect(planner().plan(input)).rejects.toMatchObject({ retryable: true, code: 'llm_unavailable' });
    await expect(planner().plan(input)).rejects.toMatchObject({ retryable: false, code: 'llm_refused' });
  });
});

describe('resolveLlmPlannerOptions', () => {
  it('refuses to start without a URL, a model and a key, naming each variable (no default provider)', () => {
    expect(() => resolveLlmPlannerOptions({}, {})).toThrow(
      expect.objectContaining({
        code: 'KOS_ERR_CONFIG_INVALID',
        details: {
          problems: [
            expect.stringContaining('KOS_LLM_URL'),
            expect.stringContaining('KOS_LLM_MODEL'),
            expect.stringContaining('KOS_LLM_KEY'),
          ],
        },
      }),
    );
  });

  it('reads the environment and checks the URL and the timeout', () => {
    const env = {
      KOS_LLM_URL: 'http://h:1/v1',
      KOS_LLM_MODEL: 'm',
      KOS_LLM_KEY: 'k',
      KOS_LLM_TIMEOUT_MS: '900',
    };
    expect(resolveLlmPlannerOptions({}, env)).toMatchObject({
      url: 'http://h:1/v1',
      model: 'm',
      timeoutMs: 900,
    });
    expect(() => resolveLlmPlannerOptions({ url: 'ftp://x' }, { ...env, KOS_LLM_TIMEOUT_MS: '-1' })).toThrow(
      /not an http\(s\) URL[\s\S]*KOS_LLM_TIMEOUT_MS/,
    );
  });
});
