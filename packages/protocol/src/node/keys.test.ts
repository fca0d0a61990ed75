import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKosError } from '../errors.ts';
import { decodeBase64Url, fingerprint, generateKey, loadKey, saveKey } from './keys.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kos-keys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isKosError(e) ? e.code : `not a KosError: ${String(e)}`;
  }
  return undefined;
}

describe('agent keys', () => {
  it('have a 32-byte public key and a kid that is its fingerprint', () => {
    const key = generateKey();
    expect(decodeBase64Url(key.publicKey, 32)).not.toBeNull();
    expect(key.kid).toMatch(/^ed25519:[A-Za-z0-9_-]{22}$/);
    expect(fingerprint(key.publicKey)).toBe(key.kid);
    expect(generateKey().kid).not.toBe(key.kid);
  });

  it('have a stable fingerprint: SHA-256 of the raw key, base64url, 22 characters', () => {
    const zeros = Buffer.alloc(32).toString('base64url');
    // sha256 of 32 zero bytes is 66687aad…; its base64url begins "Zmh6rfhivXdsj8GLjp-OIAiXFIVu4jOzkCpZHQ"
    expect(fingerprint(zeros)).toBe('ed25519:Zmh6rfhivXdsj8GLjp-OIA');
    expect(fingerprint(zeros)).toBe(fingerprint(zeros));
    for (const bad of ['', 'abc', zeros + 'A', zeros.slice(0, -1) + 'B']) {
      expect(() => fingerprint(bad)).toThrow(/base64url of 32 bytes/);
    }
  });

  it('are saved with mode 0600 and load back to the same key', async () => {
    const key = generateKey();
    const path = join(dir, 'nested', 'agent.key');
    await saveKey(path, key);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
    expect(Object.keys(file).sort()).toEqual(['kid', 'private_key_pem', 'public_key']);
    expect(file.public_key).toBe(key.publicKey);
    const loaded = await loadKey(path);
    expect(loaded.kid).toBe(key.kid);
    expect(loaded.publicKey).toBe(key.publicKey);
    expect(loaded.privateKey.export({ format: 'jwk' })).toEqual(key.privateKey.export({ format: 'jwk' }));
  });

  it('refuse to overwrite an existing key file unless asked, leaving it intact', async () => {
    const first = generateKey();
    const path = join(dir, 'taken.key');
    await saveKey(path, first);
    expect(await codeOf(saveKey(path, generateKey()))).toBe('KOS_ERR_KEY_EXISTS');
    expect((await loadKey(path)).kid).toBe(first.kid);
    const second = generateKey();
    await saveKey(path, second, { overwrite: true });
    expect((await loadKey(path)).kid).toBe(second.kid);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuse to load a file readable by group or others, a malformed file or a missing one', async () => {
    const path = join(dir, 'open.key');
    await saveKey(path, generateKey());
    await chmod(path, 0o644);
    expect(await codeOf(loadKey(path))).toBe('KOS_ERR_KEY_INVALID');
    await expect(loadKey(path)).rejects.toThrow(/chmod 600/);

    const other = generateKey();
    const good = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
    const cases: Record<string, string> = {
      notJson: '{"kid":',
      missingField: JSON.stringify({ kid: good.kid, public_key: good.public_key }),
      badPem: JSON.stringify({ ...good, private_key_pem: 'not a pem' }),
      wrongPublicKey: JSON.stringify({ ...good, public_key: other.publicKey, kid: other.kid }),
      wrongKid: JSON.stringify({ ...good, kid: other.kid }),
      nullBody: 'null',
    };
    for (const [name, body] of Object.entries(cases)) {
      const p = join(dir, `${name}.key`);
      await writeFile(p, body, { mode: 0o600 });
      expect(await codeOf(loadKey(p)), name).toBe('KOS_ERR_KEY_INVALID');
    }
    expect(await codeOf(loadKey(join(dir, 'absent.key')))).toBe('KOS_ERR_KEY_INVALID');
    expect(await codeOf(loadKey(dir))).toBe('KOS_ERR_KEY_INVALID');
  });
});
