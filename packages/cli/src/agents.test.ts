/** `kos agents`, `kos agents quarantine|release|drain` against a real orchestrator process, through `run`. */
import { describe, expect, it } from 'vitest';
import type { WireAgent } from '@kos/contracts';
import { useKosServer } from './test-server.ts';

const cli = useKosServer();

describe('kos agents quarantine | release', () => {
  it('quarantines an agent by name with a reason, shows it, and releases it once', async () => {
    const { token } = await cli.admin.createToken({ role: 'agent', agent_name: 'shady' });
    const { agent_id: id } = await cli.admin
      .withToken(token)
      .register({ context_id: 'shady', skills: ['x'] });

    expect(await cli.kos(['agents', 'quarantine', 'shady'])).toMatchObject({ code: 2 }); // --reason is required
    const { token: viewer } = await cli.admin.createToken({ role: 'viewer' });
    const forbidden = await cli.kos(['agents', 'quarantine', 'shady', '--reason', 'x'], viewer);
    expect(forbidden.code).toBe(1);
    expect(forbidden.err).toContain('KOS_ERR_FORBIDDEN');
    expect((await cli.admin.getAgent(id)).agent.state).toBe('active');

    const done = await cli.kos(['agents', 'quarantine', 'shady', '--reason', 'sends odd frames']);
    expect(done).toMatchObject({ code: 0, out: 'agent shady quarantined; 0 lease(s) revoked\n' });
    const listed = await cli.kos(['agents', '--state', 'quarantined', '--json']);
    const [shown] = (JSON.parse(listed.out) as { agents: WireAgent[] }).agents;
    expect(shown?.health.quarantine).toMatchObject({ reason: 'sends odd frames' });
    expect((await cli.kos(['agents'])).out).toMatch(/shady\s+quarantined/);

    const released = await cli.kos(['agents', 'release', id.slice(0, 8), '--reason', 'checked']);
    expect(released).toMatchObject({
      code: 0,
      out: 'agent shady released (unregistered): it may register again\n',
    });
    const again = await cli.kos(['agents', 'release', 'shady']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('KOS_ERR_AGENT_NOT_QUARANTINED');
  });

  it('drains an agent once: it stays listed as draining and a second drain is refused', async () => {
    const { token } = await cli.admin.createToken({ role: 'agent', agent_name: 'tired' });
    await cli.admin.withToken(token).register({ context_id: 'tired', skills: ['y'] });
    const drained = await cli.kos(['agents', 'drain', 'tired', '--reason', 'maintenance']);
    expect(drained).toMatchObject({ code: 0, out: 'agent tired draining; 0 lease(s) still finishing\n' });
    expect((await cli.kos(['agents', '--state', 'draining'])).out).toMatch(/tired\s+draining/);
    const again = await cli.kos(['agents', 'drain', 'tired']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('KOS_ERR_AGENT_NOT_ACTIVE');
  });
});
