/**
 * TLS end to end: `kos serve`'s https and wss with a certificate the test makes (openssl), trusted
 * by the CLI with --ca and by an SDK agent with `ca`; without them, both refuse the certificate.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent } from '@kos/agent';
import { resolveConfig } from '@kos/orchestrator';
import { generateKey } from '@kos/protocol/node';
import { poll, startServer, tempDir, type ServerHandle } from '@kos/testing';
import { KosClient } from './client.ts';
import { run } from './program.ts';
import { captureIo } from './test-support.ts';

const dir = tempDir('kos-tls-');
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
let server: ServerHandle;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  server = await startServer({ env: { KOS_TLS_CERT: cert, KOS_TLS_KEY: key } });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

const kos = async (args: string[], env: Record<string, string> = {}) => {
  const io = captureIo({ KOS_URL: server.url, KOS_TOKEN: server.adminToken, ...env });
  const code = await run(args, io);
  return { code, out: io.out(), err: io.errText() };
};

describe('TLS', () => {
  it('serves https only: the CLI trusts it with --ca, and refuses it without, saying how to fix it', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const trusted = await kos(['status', '--ca', cert]);
    expect(trusted.code).toBe(0);
    expect((await kos(['status'], { KOS_CA_FILE: cert })).code).toBe(0);
    const refused = await kos(['status']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('TLS certificate at ' + server.url + ' is not trusted');
    expect(refused.err).toContain('--ca <file>');
    // No plain http on the port.
    const plain = server.url.replace('https:', 'http:');
    await expect(fetch(`${plain}/healthz`)).rejects.toThrow();
  });

  it('runs a task for an SDK agent connected over wss that trusts the certificate', async () => {
    const admin = new KosClient({ url: server.url, token: server.adminToken, ca: readFileSync(cert) });
    const { token } = await admin.createToken({ role: 'agent', agent_name: 'tls-worker' });
    const options = {
      orchestrator: `${server.url.replace(/^https/, 'wss')}/klp`,
      name: 'tls-worker',
      skills: ['secure'],
      key: generateKey(),
      token,
      handleSignals: false,
      logger: quiet,
    };
    // Without the CA the WebSocket's TLS handshake fails: the certificate is verified.
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(options.orchestrator);
      ws.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      ws.on('open', () => resolve('opened'));
    });
    expect(refused).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);

    const agent = await Agent.create({ ...options, ca: readFileSync(cert) });
    agent.handle('secure', async (t) => ({ echoed: t.input }));
    await agent.start();
    try {
      const goal = await admin.decompose({
        goal: 'over tls',
        tasks: [{ name: 's', skills: ['secure'], input: 7 }],
      });
      const done = await poll(async () => {
        const g = await admin.getGoal(goal.goal_id);
        return g.goal.state === 'succeeded' ? g : undefined;
      });
      expect(done.tasks[0]?.result).toEqual({ echoed: 7 });
    } finally {
      await agent.stop();
    }
  });

  it("refuses to start with half a TLS setting, or a key that is not the certificate's, naming each", async () => {
    expect(() => resolveConfig({ env: { KOS_TLS_CERT: cert }, flags: {} })).toThrow(
      /server\.tls_key_file: must be set too for TLS \(server\.tls_cert_file is, from env KOS_TLS_CERT\)/,
    );
    const otherKey = join(dir, 'other-key.pem');
    execFileSync(
      'openssl',
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', otherKey],
      {
        stdio: 'ignore',
      },
    );
    await expect(startServer({ env: { KOS_TLS_CERT: cert, KOS_TLS_KEY: otherKey } })).rejects.toThrow(
      `server.tls_key_file: ${otherKey} is not the key of the certificate ${cert}`,
    );
    await expect(
      startServer({ env: { KOS_TLS_CERT: join(dir, 'missing.pem'), KOS_TLS_KEY: key } }),
    ).rejects.toThrow(/server\.tls_cert_file: cannot read .*missing\.pem \(ENOENT\)/);
  });
});
