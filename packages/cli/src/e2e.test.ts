/**
 * `kos` against a real orchestrator process: the demo's fleet (examples/fleet, three agent
 * processes over KLP) does the work, the CLI submits and watches goals, once as a child process
 * (bin/kos.mjs, compiled) and otherwise in-process through `run`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, saveKey } from '@kos/protocol/node';
import { poll, startServer, tempDir, userEnv, type ServerHandle } from '@kos/testing';
import type { WireEvent, WireGoal, WireTask } from '@kos/contracts';
import { KosClient } from './client.ts';
import { FLEET_DIR } from './demo/fleet.ts';
import { startDemo, type Demo } from './demo/run-demo.ts';
import { run } from './program.ts';
import { captureIo } from './test-support.ts';

const BIN = fileURLToPath(new URL('../bin/kos.mjs', import.meta.url));
let server: ServerHandle;
let admin: KosClient;
let workDir: string;
let demo: Demo;
const demoLog: string[] = [];

beforeAll(async () => {
  workDir = tempDir('kos-cli-e2e-');
  // A 3 s heartbeat TTL: the agents heartbeat every second, so receipts are covered quickly.
  const config = join(workDir, 'kos.yaml');
  writeFileSync(config, 'heartbeat:\n  ttl_ms: 3000\n');
  server = await startServer({ configFile: config });
  admin = new KosClient({ url: server.url, token: server.adminToken });
  demo = startDemo({ admin, dataDir: server.dataDir, log: (l) => demoLog.push(l) });
});

afterAll(async () => {
  await demo?.stop();
  await server?.stop();
  server?.cleanup();
});

async function kos(...args: string[]) {
  const io = captureIo({ KOS_URL: server.url, KOS_TOKEN: server.adminToken }, workDir);
  const code = await run(args, io);
  return { code, out: io.out(), err: io.errText() };
}

describe('kos serve --demo against a running orchestrator', () => {
  it('runs the demo: three agent processes collect, analyse and report over KLP', async () => {
    const outcome = await demo.finished;
    expect(outcome.state).toBe('succeeded');
    expect(demoLog.join('\n')).toContain(`goal ${outcome.goalId} succeeded: 3/3 tasks succeeded`);
    expect(outcome.reportPath).toBe(join(server.dataDir, 'reports', `${outcome.goalId}.md`));
    const report = readFileSync(outcome.reportPath ?? '', 'utf8');
    expect(report.split('\n').filter((l) => l.startsWith('#'))).toEqual([
      '# analyze customer data trends',
      '## Summary',
      '## Revenue by month',
      '## Revenue by region',
      '## Revenue by segment',
    ]);
    expect(report).toMatch(/^- Q4 2024: .* on Q3 2024/m);
    expect(outcome.attributed).toBe(3);
    expect(demoLog.join('\n')).toContain(`npm run kos -- audit verify --goal ${outcome.goalId}`);
  });

  it('completes the seed goal in dependency order, each task in its own agent process', async () => {
    const { goalId } = await demo.finished;
    const { tasks } = await admin.getGoal(goalId);
    const { events } = await admin.events({ goal_id: goalId, limit: 500 });
    const name = (id: string | null) => tasks.find((t) => t.id === id)?.name;
    const succeeded = events.filter((e: WireEvent) => e.kind === 'task.state' && e.data.to === 'succeeded');
    expect(succeeded.map((e) => name(e.task_id))).toEqual([
      'Data Collection',
      'Data Analysis',
      'Report Generation',
    ]);
    const finished = tasks.map((t) => Date.parse(t.finished_at ?? ''));
    const byName = (n: string) => finished[tasks.findIndex((t) => t.name === n)] ?? NaN;
    expect(byName('Data Collection')).toBeLessThanOrEqual(byName('Data Analysis'));
    expect(byName('Data Analysis')).toBeLessThanOrEqual(byName('Report Generation'));

    const holders = await Promise.all(
      succeeded.map(async (e) => (await admin.getAgent(e.agent_id ?? '')).agent.name),
    );
    expect(holders).toEqual(['collector', 'analyst', 'reporter']);
    const pids = demo.fleet.members.map((m) => m.pid);
    expect(new Set([...pids, process.pid, server.process.pid]).size).toBe(5);
    expect(demo.fleet.members.every((m) => m.child.exitCode === null)).toBe(true);
  });

  it('submits and waits with --json from a child process, exiting 0 when the goal succeeds', async () => {
    await demo.finished;
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
      { timeout: 30_000, env: userEnv() },
    );
    const final = JSON.parse(stdout) as { goal: WireGoal; tasks: WireTask[] };
    expect(final.goal.state).toBe('succeeded');
    expect(final.tasks.map((t) => t.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(existsSync(join(server.dataDir, 'reports', `${final.goal.id}.md`))).toBe(true);
  });

  it('shows goals, tasks and status by short id', async () => {
    await demo.finished;
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
      join(workDir, 'dag.json'),
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

describe('kos agent run', () => {
  it('exits 2 with a usage message for a module without a default AgentDefinition', async () => {
    const module = join(workDir, 'not-an-agent.ts');
    writeFileSync(module, 'export const collector = { name: "collector" };\n');
    const r = await kos('agent', 'run', module);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${module}: it has no default export`);
    expect(r.err).toContain('export default defineAgent({ name, handlers:');
  });

  it('exits 2 for a definition whose handlers are not functions', async () => {
    const module = join(workDir, 'bad-handlers.ts');
    writeFileSync(module, 'export default { name: "x", handlers: { reporting: 42 } };\n');
    const r = await kos('agent', 'run', module);
    expect(r.code).toBe(2);
    expect(r.err).toContain('handlers reporting are not functions');
  });

  it("verifies a later goal's results against the whole chain of its agents' sessions", async () => {
    await demo.finished;
    // The fleet's sessions carried the demo goal's results first: this goal's chain starts mid-way.
    const submitted = await kos('submit', 'analyze customer data trends', '--context', 'Q2 2024', '--wait');
    expect(submitted.code).toBe(0);
    const goalId = /^submitted goal (\S+)$/m.exec(submitted.out)?.[1] ?? '';
    const verified = await poll(async () => {
      const r = await kos('audit', 'verify', '--goal', goalId);
      return r.code === 0 ? r : undefined;
    });
    expect(verified.out).toMatch(/^3 result\(s\) attributed to their agent's key, 0 not$/m);
  });

  it('fails a verification against a key that matches no session, saying so', async () => {
    const { goalId } = await demo.finished;
    const key = join(workDir, 'stranger.key');
    await saveKey(key, generateKey());
    const r = await kos('audit', 'verify', '--goal', goalId, '--key', key);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^0 result\(s\) attributed to their agent's key, 3 not$/m);
    expect(r.out).toContain('the pinned key matches no agent session in this log');
  });

  it('fails a verification with nothing to verify, saying so', async () => {
    const r = await kos('audit', 'verify', '--agent', 'no-such-agent');
    expect(r.code).toBe(1);
    expect(r.out).toContain('nothing to verify: no results in the log for this filter');
  });

  it('exits 1 with the code and a hint when the name is bound to another key', async () => {
    await demo.finished; // the collector's name is bound to the fleet's key by now
    const key = join(workDir, 'impostor.key');
    await saveKey(key, generateKey());
    const r = await kos('agent', 'run', join(FLEET_DIR, 'collector.ts'), '--key', key, '--data-dir', workDir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error KOS_ERR_IDENTITY_MISMATCH: /m);
    expect(r.err).toContain('hint: the name "collector" is bound to another key');
  });
});
