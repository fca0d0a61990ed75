/**
 * The compiled packages as a user gets them: `kos` is one process running dist/ (SIGTERM of its
 * pid drains and stops it), and `npm pack`'ed @kos/protocol + @kos/agent install in an empty folder
 * where a plain .mjs agent, with no TypeScript tooling, completes a task.
 */
import { execFile, spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http, poll, startServer, tempDir, userEnv, type ServerHandle } from '@kos/testing';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/kos.mjs');
const run = promisify(execFile);

beforeAll(async () => {
  // Incremental: nothing to do when `npm test` built already.
  await run('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, timeout: 120_000 });
}, 150_000);

describe('kos serve, compiled', () => {
  it('is one process that drains and exits 0 on SIGTERM, leaving no process behind', async () => {
    const dataDir = tempDir('kos-compiled-');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await poll(() => /"url":"(http:[^"]+)"/.exec(out)?.[1], { what: 'kos serve to listen' });
    expect((await new Http(url).get('/healthz')).status).toBe(200);
    // No wrapper: the pid a process manager sees is the server (nothing else holds its port).
    const { stdout: children } = await run('pgrep', ['-P', String(child.pid)]).catch(() => ({ stdout: '' }));
    expect(children.trim()).toBe('');
    expect(err).not.toMatch(/DeprecationWarning|FSTDEP/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toContain('SIGTERM: stopping');
    expect(err).toContain('stopped');
    await expect(fetch(url + '/healthz')).rejects.toThrow();
  });

  it('logs readable lines with log.format pretty, in the same process and without a warning', async () => {
    const dataDir = tempDir('kos-compiled-');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
      env: userEnv({ KOS_LOG_FORMAT: 'pretty' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await poll(() => /^\[[\d:.]+\] INFO: listening$/m.exec(out)?.[0], { what: 'a readable listening line' });
    expect(out).toMatch(/^ {4}url: "http:/m);
    expect(out).not.toContain('{"level"');
    const { stdout: children } = await run('pgrep', ['-P', String(child.pid)]).catch(() => ({ stdout: '' }));
    expect(children.trim()).toBe(''); // no worker-thread transport or helper process
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/INFO: stopped$/m); // written before exit, not lost in a buffer
    expect(err).not.toMatch(/Warning|FSTDEP/);
  });
});

describe('the packed agent SDK', () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });

  it('installs from its tarballs in an empty folder and runs a plain .mjs agent', async () => {
    const folder = tempDir('kos-packed-');
    for (const pkg of ['protocol', 'agent']) {
      await run('npm', ['pack', '--pack-destination', folder, '--silent'], {
        cwd: join(ROOT, 'packages', pkg),
        env: userEnv(),
      });
    }
    const tarballs = readdirSync(folder).filter((f) => f.endsWith('.tgz'));
    expect(tarballs.sort()).toEqual(['kos-agent-0.1.0.tgz', 'kos-protocol-0.1.0.tgz']);
    writeFileSync(
      join(folder, 'package.json'),
      JSON.stringify({ name: 'user', private: true, type: 'module' }),
    );
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((t) => `./${t}`)],
      {
        cwd: folder,
        env: userEnv(),
        timeout: 120_000,
      },
    );

    const admin = new Http(server.url, server.adminToken);
    const token = (
      await admin.post<{ token: string }>('/orchestration/tokens', { role: 'agent', agent_name: 'packed' })
    ).body.token;
    writeFileSync(
      join(folder, 'agent.mjs'),
      `import { Agent } from '@kos/agent';
import { generateKey } from '@kos/protocol/node';
const agent = await Agent.create({
  orchestrator: process.env.KOS_KLP, name: 'packed', skills: ['doubling'],
  key: generateKey(), token: process.env.KOS_AGENT_TOKEN,
});
agent.handle('doubling', async (task) => ({ doubled: task.input.n * 2 }));
await agent.start();
`,
    );
    const agent = spawn(process.execPath, ['agent.mjs'], {
      cwd: folder,
      env: userEnv({ KOS_KLP: server.url.replace('http', 'ws') + '/klp', KOS_AGENT_TOKEN: token }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let agentErr = '';
    agent.stderr.on('data', (d: Buffer) => (agentErr += d.toString()));
    try {
      const dag = await admin.post<{ subtasks: { id: string }[] }>('/orchestration/decompose', {
        goal: 'double it',
        tasks: [{ name: 'double', skills: ['doubling'], input: { n: 21 } }],
      });
      const id = dag.body.subtasks[0]!.id;
      const task = await poll(
        async () => {
          const t = (
            await admin.get<{ task: { state: string; result: unknown } }>(`/orchestration/tasks/${id}`)
          ).body.task;
          return t.state === 'succeeded' ? t : undefined;
        },
        { what: `the packed agent to complete the task (agent stderr: ${agentErr})` },
      );
      expect(task.result).toEqual({ doubled: 42 });
    } finally {
      agent.kill('SIGTERM');
    }
  }, 180_000);
});
