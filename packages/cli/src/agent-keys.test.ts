/** `kos agents rotate-key | reset-key` against a real orchestrator process and a real KLP agent. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent } from '@kos/agent';
import { generateKey, loadKey, saveKey } from '@kos/protocol/node';
import { poll, tempDir } from '@kos/testing';
import { useKosServer } from './test-server.ts';

const cli = useKosServer();
const dir = tempDir('kos-keys-');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const running: Agent[] = [];
afterAll(async () => {
  await Promise.all(running.map((a) => a.stop()));
});

/** A KLP agent of `name` with a key file at `<dir>/<name>.key`, connected (its name bound to the key). */
async function boundAgent(name: string): Promise<{ agent: Agent; keyFile: string }> {
  const keyFile = join(dir, `${name}.key`);
  const key = generateKey();
  await saveKey(keyFile, key);
  const { token } = await cli.admin.createToken({ role: 'agent', agent_name: name });
  const agent = await Agent.create({
    orchestrator: `${cli.url.replace(/^http/, 'ws')}/klp`,
    name,
    skills: ['keyed'],
    key,
    token,
    handleSignals: false,
    logger: quiet,
  });
  running.push(agent);
  await agent.start();
  return { agent, keyFile };
}

describe('kos agents rotate-key | reset-key', () => {
  it('rotates the key in place: the key file holds the new key, the old one is kept as .retired', async () => {
    const { keyFile } = await boundAgent('rotor');
    const before = await loadKey(keyFile);
    const done = await cli.kos(['agents', 'rotate-key', 'rotor', '--key', keyFile]);
    expect(done.code).toBe(0);
    const after = await loadKey(keyFile);
    expect(after.publicKey).not.toBe(before.publicKey);
    expect((await loadKey(`${keyFile}.retired`)).publicKey).toBe(before.publicKey);
    expect(existsSync(`${keyFile}.next`)).toBe(false);
    expect(done.out).toContain(`new key   ${after.kid}`);
    expect(done.out).toContain('restart the agent with the new key file');
    // The name is bound to the new key now: a second rotation from the retired key is refused.
    const stale = await cli.kos([
      'agents',
      'rotate-key',
      'rotor',
      '--key',
      `${keyFile}.retired`,
      '--new-key',
      join(dir, 'x.key'),
    ]);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('KOS_ERR_IDENTITY_MISMATCH');
  });

  it('resets a key as an admin only, with a reason', async () => {
    await boundAgent('lost');
    expect((await cli.kos(['agents', 'reset-key', 'lost'])).code).toBe(2); // --reason is required
    const { token: submitter } = await cli.admin.createToken({ role: 'submitter' });
    const forbidden = await cli.kos(['agents', 'reset-key', 'lost', '--reason', 'x'], submitter);
    expect(forbidden.err).toContain('KOS_ERR_FORBIDDEN');
    const done = await cli.kos(['agents', 'reset-key', 'lost', '--reason', 'laptop stolen']);
    expect(done.code).toBe(0);
    expect(done.out).toMatch(
      /^agent lost: key ed25519:\S+ unbound; connect it with a new key and an agent token/,
    );
    const events = await poll(async () => {
      const e = await cli.admin.events({ limit: 1000 });
      return e.events.find((x) => x.data.action === 'agent.key_reset');
    });
    expect(events.data).toMatchObject({ agent_name: 'lost', reason: 'laptop stolen', new_key: null });
  });
});
