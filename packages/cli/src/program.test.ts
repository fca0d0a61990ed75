import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './program.ts';
import { cannedServer, captureIo, type CannedServer } from './test-support.ts';

let server: CannedServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kos-cli-'));
  server = await cannedServer((req) => {
    if (req.url.startsWith('/orchestration/goals')) return { status: 200, body: { goals: [], next: null } };
    if (req.url.startsWith('/orchestration/tokens')) {
      return { status: 201, body: { id: 'tok1', token: 'kos_secret', role: 'viewer', agent_name: null } };
    }
    return { status: 200, body: { events: [], next: null } };
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs kos against the canned server; returns the exit code, output and the request it made. */
async function kos(args: string[], env: Record<string, string> = {}) {
  const before = server.requests.length;
  const io = captureIo({ KOS_URL: server.url, ...env }, dir);
  const code = await run(args, io);
  return { code, out: io.out(), err: io.errText(), request: server.requests[before] };
}

describe('usage errors', () => {
  it.each([
    [['no-such-command']],
    [['goals', '--limit', 'many']],
    [['goals', '--limit', '0']],
    [['tasks', '--state', 'sleeping']],
    [['token', 'create']],
    [['token', 'create', '--role', 'admin']],
    [['submit']],
    [['submit', 'a goal', '--priority', 'urgent']],
    [['events', '--after', '-1']],
    [['serve', '--port', '70000']],
    [['goals', 'show']],
  ])('exit 2 without a request for `kos %s`', async (args) => {
    const r = await kos(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: /);
    expect(r.request).toBeUndefined();
  });

  it('exits 2 for a DAG file that cannot be read', async () => {
    const r = await kos(['submit', 'g', '--file', 'missing.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot read');
  });

  it('prints help and exits 0 for --help', async () => {
    const r = await kos(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('submit [options] <goal>');
  });
});

describe('unknown commands', () => {
  const words = (line: string) => line.split(' ');

  it.each(['fleet --help', 'fleet', 'help fleet'])(
    'names the unknown command of `kos %s`, lists the commands, prints no help and exits 2',
    async (line) => {
      const r = await kos(words(line));
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^error: unknown command 'kos fleet'\n/);
      expect(r.err).toContain('kos commands: serve, submit,');
      expect(r.err).not.toContain('Usage:');
    },
  );

  it.each([
    ['tokn', 'kos tokn', 'kos token'],
    ['tokn --help', 'kos tokn', 'kos token'],
    ['token creat --help', 'kos token creat', 'kos token create'],
    ['--url http://127.0.0.1:1 gaols', 'kos gaols', 'kos goals'],
  ])('suggests the closest command for `kos %s` and exits 2', async (line, wrong, right) => {
    const r = await kos(words(line));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: unknown command '${wrong}'; did you mean '${right}'?\n`);
    expect(r.request).toBeUndefined();
  });

  it.each(['token frob', 'token frob --help', 'token help frob'])(
    'names an unknown subcommand with its parents for `kos %s` and exits 2',
    async (line) => {
      const r = await kos(words(line));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^error: unknown command 'kos token frob'\nkos token commands: create/);
    },
  );

  it('names an unknown word after a command that lists things instead of counting arguments', async () => {
    const r = await kos(['tasks', 'frob']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: unknown command 'kos tasks frob'\nkos tasks commands: show, cancel/);
  });

  it.each(['help', 'token --help', 'help token', 'submit goal --help'])(
    'prints help and exits 0 for `kos %s`',
    async (line) => {
      const r = await kos(words(line));
      expect(r.code).toBe(0);
      expect(r.out).toContain('Usage: kos');
      expect(r.err).toBe('');
    },
  );
});

describe('options become requests', () => {
  it('sends list filters as query parameters', async () => {
    const r = await kos(['goals', '--state', 'running', '--limit', '5'], { KOS_TOKEN: 'from-env' });
    expect(r.code).toBe(0);
    expect(r.request?.url).toBe('/orchestration/goals?state=running&limit=5');
    expect(r.request?.headers.authorization).toBe('Bearer from-env');
  });

  it('prefers --url and --token to the environment', async () => {
    const r = await kos(['--url', server.url, '--token', 'flag', 'events', '--after', '12'], {
      KOS_URL: 'http://127.0.0.1:1',
      KOS_TOKEN: 'env',
    });
    expect(r.code).toBe(0);
    expect(r.request?.url).toBe('/orchestration/events?after=12');
    expect(r.request?.headers.authorization).toBe('Bearer flag');
  });

  it('reads the admin token from the data directory when none is given', async () => {
    writeFileSync(join(dir, 'admin.token'), 'kos_admin_secret\n');
    const r = await kos(['--data-dir', '.', 'goals']);
    expect(r.request?.headers.authorization).toBe('Bearer kos_admin_secret');
  });

  it('creates a token with snake_case fields and prints the secret once with an export hint', async () => {
    const r = await kos(['token', 'create', '--role', 'viewer', '--label', 'ci']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.request?.body ?? '')).toEqual({ role: 'viewer', label: 'ci' });
    expect(r.out.match(/kos_secret/g)).toHaveLength(2);
    expect(r.out).toContain('export KOS_TOKEN=kos_secret');
  });

  it('prints the API answer as is with --json', async () => {
    const r = await kos(['goals', '--json']);
    expect(JSON.parse(r.out)).toEqual({ goals: [], next: null });
  });
});
