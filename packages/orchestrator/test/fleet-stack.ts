/**
 * A real fleet for end-to-end tests of the front doors (MCP, A2A): tokens made by the admin, agent
 * processes (`kos agent run work-agent.ts`, over KLP) handling skill `work`, and DAGs for them.
 * The orchestrator process itself comes from @kos/testing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { poll, type Http } from '@kos/testing';

export const CLI_MAIN = fileURLToPath(new URL('../../cli/src/main.ts', import.meta.url));
export const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const WORKER = fileURLToPath(new URL('./work-agent.ts', import.meta.url));

/** A token of `role`, created by the admin. */
export async function tokenOf(admin: Http, role: 'admin' | 'submitter' | 'viewer' | 'agent') {
  const r = await admin.post<{ token: string }>('/orchestration/tokens', { role, label: `test ${role}` });
  if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/** A real agent process handling skill `work`; resolves once it is active. */
export async function startWorker(
  server: { url: string; dataDir: string },
  admin: Http,
  name: string,
  /** Milliseconds each task takes (KOS_TEST_DELAY_MS; 100 by default). */
  delayMs?: number,
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const args = ['--import', TSX, CLI_MAIN, 'agent', 'run', WORKER, '--url', server.url];
  args.push('--data-dir', server.dataDir, '--name', name, '--exit-with-parent');
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      KOS_DATA_DIR: server.dataDir,
      KOS_TEST_AGENT: name,
      ...(delayMs === undefined ? {} : { KOS_TEST_DELAY_MS: String(delayMs) }),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines: string[] = [];
  child.stdout?.on('data', (d: Buffer) => lines.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => lines.push(d.toString()));
  await poll(
    async () => {
      const r = await admin.get<{ agents: { name: string; state: string }[] }>('/orchestration/agents');
      return r.body.agents.some((a) => a.name === name && a.state === 'active');
    },
    { timeoutMs: 30_000, what: `agent ${name} active (its output: ${lines.join('')})` },
  );
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('close', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/** A chain of `n` tasks of skill `work` (each depends on the one before), so they settle one by one. */
export const chain = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `t${i}`,
    skills: ['work'],
    ...(i === 0 ? {} : { depends_on: [`t${i - 1}`] }),
  }));
