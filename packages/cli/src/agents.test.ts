/** `kos agents`, `kos agents quarantine|release` against a real orchestrator process, through `run`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '@kos/testing';
import type { WireAgent } from './api-types.ts';
import { KosClient } from './client.ts';
import { run } from './program.ts';
import { captureIo } from './test-support.ts';

let server: ServerHandle;
let admin: KosClient;

beforeAll(async () => {
  server = await startServer();
  admin = new KosClient({ url: server.url, token: server.adminToken });
});
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function kos(args: string[], token = server.adminToken) {
  const io = captureIo({ KOS_URL: server.url, KOS_TOKEN: token });
  const code = await run(args, io);
  return { code, out: io.out(), err: io.errText() };
}

describe('kos agents quarantine | release', () => {
  it('quarantines an agent by name with a reason, shows it, and releases it once', async () => {
    const { token } = await admin.createToken({ role: 'agent', agent_name: 'shady' });
    const { agent_id: id } = await admin.withToken(token).register({ context_id: 'shady', skills: ['x'] });

    expect(await kos(['agents', 'quarantine', 'shady'])).toMatchObject({ code: 2 }); // --reason is required
    const { token: viewer } = await admin.createToken({ role: 'viewer' });
    const forbidden = await kos(['agents', 'quarantine', 'shady', '--reason', 'x'], viewer);
    expect(forbidden.code).toBe(1);
    expect(forbidden.err).toContain('KOS_ERR_FORBIDDEN');
    expect((await admin.getAgent(id)).agent.state).toBe('active');

    const done = await kos(['agents', 'quarantine', 'shady', '--reason', 'sends odd frames']);
    expect(done).toMatchObject({ code: 0, out: 'agent shady quarantined; 0 lease(s) revoked\n' });
    const listed = await kos(['agents', '--state', 'quarantined', '--json']);
    const [shown] = (JSON.parse(listed.out) as { agents: WireAgent[] }).agents;
    expect(shown?.health.quarantine).toMatchObject({ reason: 'sends odd frames' });
    expect((await kos(['agents'])).out).toMatch(/shady\s+quarantined/);

    const released = await kos(['agents', 'release', id.slice(0, 8), '--reason', 'checked']);
    expect(released).toMatchObject({
      code: 0,
      out: 'agent shady released (unregistered): it may register again\n',
    });
    const again = await kos(['agents', 'release', 'shady']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('KOS_ERR_AGENT_NOT_QUARANTINED');
  });
});
