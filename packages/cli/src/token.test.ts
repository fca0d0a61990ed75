/** `kos token create | list | revoke` against a real orchestrator process, through `run`. */
import { describe, expect, it } from 'vitest';
import type { TokenListResponse } from '@kos/contracts';
import { useKosServer } from './test-server.ts';

const cli = useKosServer();

describe('kos token list | revoke', () => {
  it('lists a created token without its secret, revokes it once, and the secret stops working', async () => {
    const created = await cli.kos([
      'token',
      'create',
      '--role',
      'viewer',
      '--label',
      'for the wall screen',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const { id, token } = JSON.parse(created.out) as { id: string; token: string };

    const listed = await cli.kos(['token', 'list']);
    expect(listed.out).toMatch(
      new RegExp(`${id}\\s+viewer\\s+-\\s+\\S+ \\S+\\s+-\\s+-\\s+for the wall screen`),
    );
    expect(listed.out).not.toContain(token);
    expect((await cli.kos(['status'], token)).code).toBe(0);

    expect(await cli.kos(['token', 'revoke', id])).toMatchObject({
      code: 0,
      out: `token ${id} (viewer) revoked\n`,
    });
    const json = JSON.parse((await cli.kos(['token', 'list', '--json'])).out) as TokenListResponse;
    expect(json.tokens.find((t) => t.id === id)?.revoked_at).not.toBeNull();
    const refused = await cli.kos(['status'], token);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('KOS_ERR_UNAUTHENTICATED');
    const again = await cli.kos(['token', 'revoke', id]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('KOS_ERR_TOKEN_REVOKED');
  });

  it('creates a token that expires after --expires-in, and refuses a duration it cannot read', async () => {
    const before = Date.now();
    const created = await cli.kos(['token', 'create', '--role', 'viewer', '--expires-in', '2h', '--json']);
    expect(created.code).toBe(0);
    const expiresAt = Date.parse((JSON.parse(created.out) as { expires_at: string }).expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7_200_000);
    expect(expiresAt).toBeLessThan(Date.now() + 7_200_000 + 1000);
    const bad = await cli.kos(['token', 'create', '--role', 'viewer', '--expires-in', '2 hours']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('expected a duration such as 90s, 15m, 12h or 30d, got "2 hours"');
  });
});
