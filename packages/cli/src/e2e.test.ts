/**
 * `kos` against a real orchestrator process: the demo's agents do the work, the CLI submits and
 * watches goals, once as a child process (bin/kos.mjs) and otherwise in-process through `run`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll, startServer, tempDir, type ServerHandle } from '@kos/testing';
import type { WireGoal, WireTask } from './api-types.ts';
import { KosClient } from './client.ts';
import { runDemo } from './demo/run-demo.ts';
import { run } from './program.ts';
import { captureIo } from './test-support.ts';

const BIN = fileURLToPath(new URL('../bin/kos.mjs', import.meta.url));
let server: ServerHandle;
let dataDir: string;
const stopDemo = new AbortController();
let demo: Promise<void>;
const demoLog: string[] = [];

beforeAll(async () => {
  server = await startServer();
  dataDir = tempDir('kos-cli-e2e-');
  const admin = new KosClient({ url: server.url, token: server.adminToken });
  demo = runDemo({ admin, dataDir, log: (l) => demoLog.push(l), signal: stopDemo.signal });
});

afterAll(async () => {
  stopDemo.abort();
  await demo;
  await server.stop();
  server.cleanup();
});

async function kos(...args: string[]) {
  const io = captureIo({ KOS_URL: server.url, KOS_TOKEN: server.adminToken }, dataDir);
  const code = await run(args, io);
  return { code, out: io.out(), err: io.errText() };
}

describe('kos against a running orchestrator', () => {
  it('runs the demo: three agents collect, analyse and report through the REST API', async () => {
    const done = await poll(() => demoLog.find((l) => l.includes('tasks succeeded')), {
      what: 'the demo goal',
    });
    expect(done).toMatch(/^goal \S+ succeeded: 3\/3 tasks succeeded$/m);
    const report = /^report: (.+)$/m.exec(demoLog.join('\n'))?.[1] ?? '';
    expect(readFileSync(report, 'utf8')).toContain('Q4 2024');
  });

  it('submits and waits with --json from a child process, exiting 0 when the goal succeeds', async () => {
    await poll(() => demoLog.some((l) => l.includes('tasks succeeded')), { what: 'the demo agents' });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        BIN,
        '--url',
        server.url,
        '--token',
        server.adminToken,
        'submit',
        'analyze customer data trends',
      ].concat(['--context', 'Q3 2024', '--wait', '--json']),
      { timeout: 30_000 },
    );
    const final = JSON.parse(stdout) as { goal: WireGoal; tasks: WireTask[] };
    expect(final.goal.state).toBe('succeeded');
    expect(final.tasks.map((t) => t.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(existsSync(join(dataDir, 'reports', `${final.goal.id}.md`))).toBe(true);
  });

  it('shows goals, tasks and status by short id', async () => {
    const list = await kos('goals', '--json');
    const goal = (JSON.parse(list.out) as { goals: WireGoal[] }).goals[0];
    if (goal === undefined) throw new Error('no goal listed');
    const shown = await kos('goals', 'show', goal.id.slice(0, 8));
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(goal.id);
    expect(shown.out).toMatch(/Data Analysis\s+succeeded\s+data_analysis/);

    const tasks = JSON.parse((await kos('tasks', '--goal', goal.id, '--json')).out) as { tasks: WireTask[] };
    const task = tasks.tasks[0];
    if (task === undefined) throw new Error('no task listed');
    const history = await kos('tasks', 'show', task.id.slice(0, 8));
    expect(history.out).toContain('task.state');

    const status = JSON.parse((await kos('status', '--json')).out) as { agents: { total: number } };
    expect(status.agents.total).toBe(3);
    expect((await kos('tensor', '--sparse')).code).toBe(0);
  });

  it('warns about a missing skill, and cancels the goal that waits for it', async () => {
    writeFileSync(
      join(dataDir, 'dag.json'),
      JSON.stringify({ tasks: [{ name: 'translate', skills: ['klingon'] }] }),
    );
    const submitted = await kos('submit', 'say hello', '--file', 'dag.json');
    expect(submitted.out).toContain('warning: no agent has skill "klingon" (needed by translate)');
    const id = /^submitted goal (\S+)$/m.exec(submitted.out)?.[1] ?? '';
    const cancelled = await kos('goals', 'cancel', id, '--reason', 'no translator');
    expect(cancelled.out).toBe(`goal ${id} cancelled\n`);
  });

  it('reports an unknown goal with its error code and exit 1', async () => {
    const r = await kos('goals', 'show', '00000000-0000-4000-8000-000000000000');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error KOS_ERR_GOAL_NOT_FOUND: /);
  });
});
