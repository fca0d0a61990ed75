/**
 * What every command needs: where output goes, the global options, and a client built from them.
 * Commands receive an Io instead of touching `process` so tests can run them in-process.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { KosClient } from './client.ts';
import { usageError } from './errors.ts';

export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** The real stdout when it is a terminal (progress bars draw on it), else null. */
  tty: NodeJS.WriteStream | null;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export interface GlobalOptions {
  url?: string;
  token?: string;
  dataDir?: string;
  json?: boolean;
  ca?: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:7700';

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    tty: process.stdout.isTTY ? process.stdout : null,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** The per-invocation view a command acts through. */
export class Ctx {
  readonly io: Io;
  readonly opts: GlobalOptions;

  constructor(io: Io, opts: GlobalOptions) {
    this.io = io;
    this.opts = opts;
  }

  static of(io: Io, cmd: Command): Ctx {
    return new Ctx(io, cmd.optsWithGlobals<GlobalOptions>());
  }

  get json(): boolean {
    return this.opts.json === true;
  }

  /** `--data-dir`, else KOS_DATA_DIR, else ./.kos — absolute. */
  get dataDir(): string {
    return resolve(this.io.cwd, this.opts.dataDir ?? this.io.env.KOS_DATA_DIR ?? '.kos');
  }

  /** `--token`, else KOS_TOKEN, else the admin token the server wrote in its data dir. */
  token(): string | null {
    const given = this.opts.token ?? this.io.env.KOS_TOKEN;
    if (given !== undefined && given !== '') return given;
    try {
      return readFileSync(join(this.dataDir, 'admin.token'), 'utf8').trim() || null;
    } catch {
      return null;
    }
  }

  /** `--url`, else KOS_URL, else the default. */
  get url(): string {
    return this.opts.url ?? this.io.env.KOS_URL ?? DEFAULT_URL;
  }

  /**
   * `--ca`, else KOS_CA_FILE: the PEM certificate(s) to trust for an https:// orchestrator whose
   * certificate no system CA signed; undefined: the system's CAs.
   */
  ca(): Buffer | undefined {
    const file = this.opts.ca ?? this.io.env.KOS_CA_FILE;
    if (file === undefined || file === '') return undefined;
    try {
      return readFileSync(resolve(this.io.cwd, file));
    } catch (e) {
      throw usageError(`cannot read the CA file ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }

  client(): KosClient {
    return new KosClient({ url: this.url, token: this.token(), ca: this.ca() });
  }

  out(line = ''): void {
    this.io.stdout.write(`${line}\n`);
  }

  err(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  /** `--json`: the API's answer as is; otherwise the human rendering. */
  print(answer: unknown, human: () => string): void {
    this.out(this.json ? JSON.stringify(answer, null, 2) : human());
  }
}
