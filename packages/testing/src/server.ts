import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./server-main.ts', import.meta.url));

export interface ServerOptions {
  /** Reuse a data directory (e.g. to restart after a kill); a new temporary one otherwise. */
  dataDir?: string;
  port?: number;
  /** Extra environment, e.g. `{ KOS_LOG_LEVEL: 'debug' }` or config overrides via a file. */
  env?: Record<string, string>;
  /** A YAML config file for the server. */
  configFile?: string;
  /** Extra Node flags for the server process, e.g. `['--cpu-prof']` (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
}

/** A real orchestrator process on a temporary SQLite file. */
export interface ServerHandle {
  url: string;
  dataDir: string;
  adminToken: string;
  process: ChildProcess;
  /** Every line the server printed (JSON log lines on stdout, anything on stderr). */
  lines: string[];
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
  /** SIGKILL: no flush, no goodbye. */
  kill(): Promise<void>;
  /** Removes the data directory (after stop/kill). */
  cleanup(): void;
}

export function tempDir(prefix = 'kos-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `server-main.ts` in a child process and resolves once it logs `listening`. */
export async function startServer(options: ServerOptions = {}): Promise<ServerHandle> {
  const dataDir = options.dataDir ?? tempDir();
  const args = [
    ...(options.nodeArgs ?? []),
    '--import',
    'tsx',
    ENTRY,
    '--port',
    String(options.port ?? 0),
    '--data-dir',
    dataDir,
  ];
  if (options.configFile) args.push('--config', options.configFile);
  const child = spawn(process.execPath, args, {
    // JSON logs whatever the developer's shell sets: `listening` and tests' log checks parse them.
    env: { ...process.env, KOS_LOG_LEVEL: 'info', KOS_LOG_FORMAT: 'json', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in 30 s:\n${lines.join('\n')}`)),
      30_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (!line.includes('"listening"')) return;
      const parsed = JSON.parse(line) as { url?: string };
      if (parsed.url) {
        clearTimeout(timer);
        resolve(parsed.url);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${lines.join('\n')}`));
    });
  });
  const adminToken = readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  return {
    url,
    dataDir,
    adminToken,
    process: child,
    lines,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
