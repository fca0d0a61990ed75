/**
 * The browser tests' stack: a real orchestrator process (@kos/testing), real agent processes
 * (`kos agent run`, over KLP), and Debian's chromium driven by playwright-core. Screenshots go to
 * packages/dashboard/test-results/ (gitignored) for a person to look at.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Http, poll, startServer, type ServerHandle, type ServerOptions } from '@kos/testing';

const CLI_MAIN = fileURLToPath(new URL('../../cli/src/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
export const RESULTS_DIR = fileURLToPath(new URL('../test-results/', import.meta.url));
const AGENT = fileURLToPath(new URL('./agents/worker.ts', import.meta.url));

/** Debian's chromium (`apt-get install -y chromium`; .ci/run installs it), or KOS_CHROMIUM. */
export const CHROMIUM = process.env.KOS_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or null. In CI a missing browser is a failure, not a skip:
 * .ci/run installs it, so its absence there is a broken setup.
 */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `no chromium at ${CHROMIUM} (apt-get install -y chromium, or set KOS_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`browser tests need a browser: ${why}`);
  console.warn(`skipping the dashboard browser tests: ${why}`);
  return why;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

export interface AgentProcess {
  name: string;
  child: ChildProcess;
  lines: string[];
  stop(): Promise<void>;
}

export interface Stack {
  server: ServerHandle;
  /** The admin's API client (bearer token). */
  admin: Http;
  /** A fresh token of this role. */
  token(role: 'admin' | 'submitter' | 'viewer'): Promise<string>;
  /** A real agent process handling `skills`, each task taking `delayMs`. */
  agent(
    name: string,
    skills: string[],
    opts?: { delayMs?: number; maxParallel?: number },
  ): Promise<AgentProcess>;
  stop(): Promise<void>;
}

export async function startStack(options: ServerOptions = {}): Promise<Stack> {
  const server = await startServer(options);
  const admin = new Http(server.url, server.adminToken);
  const agents: AgentProcess[] = [];
  return {
    server,
    admin,
    async token(role) {
      const r = await admin.post<{ token: string }>('/orchestration/tokens', {
        role,
        label: `browser test ${role}`,
      });
      if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token;
    },
    async agent(name, skills, opts = {}) {
      const args = ['--import', TSX, CLI_MAIN, 'agent', 'run', AGENT, '--url', server.url];
      args.push('--data-dir', server.dataDir, '--name', name, '--exit-with-parent');
      const child = spawn(process.execPath, args, {
        env: {
          ...process.env,
          KOS_DATA_DIR: server.dataDir,
          KOS_TEST_AGENT: name,
          KOS_TEST_SKILLS: skills.join(','),
          KOS_TEST_DELAY_MS: String(opts.delayMs ?? 300),
          KOS_TEST_MAX_PARALLEL: String(opts.maxParallel ?? 4),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      const lines: string[] = [];
      child.stdout?.on('data', (d: Buffer) => lines.push(d.toString()));
      child.stderr?.on('data', (d: Buffer) => lines.push(d.toString()));
      const stop = async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise((r) => child.once('close', r));
        child.kill('SIGKILL');
        await gone;
      };
      const proc = { name, child, lines, stop };
      agents.push(proc);
      await poll(
        async () => {
          const r = await admin.get<{ agents: { name: string; state: string }[] }>('/orchestration/agents');
          return r.body.agents.some((a) => a.name === name && a.state === 'active');
        },
        { timeoutMs: 30_000, what: `agent ${name} active (its output: ${lines.join('')})` },
      );
      return proc;
    },
    async stop() {
      await Promise.all(agents.map((a) => a.stop()));
      await server.stop();
      server.cleanup();
    },
  };
}

/** Signs in through the page's own form, as a person would. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('role').waitFor();
}

/** A full-page screenshot under test-results/, named after what it shows. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${name}.png`;
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
