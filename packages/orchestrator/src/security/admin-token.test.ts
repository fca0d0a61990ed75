import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KosError } from '@kos/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../store/backend.ts';
import { openSqliteBackend } from '../store/sqlite/index.ts';
import { createToken, ensureAdminToken } from './admin-token.ts';
import { hashToken, tokenIdOf } from './tokens.ts';

const opened: Backend[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

async function setup(): Promise<{ dataDir: string; open: (db?: string) => Promise<Backend> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'kos-admin-'));
  const dataDir = path.join(root, '.kos');
  const open = async (db = 'kos.db'): Promise<Backend> => {
    const backend = await openSqliteBackend({ file: path.join(root, db), synchronous: 'NORMAL' });
    opened.push(backend);
    return backend;
  };
  return { dataDir, open };
}

describe('ensureAdminToken', () => {
  it('creates admin.token with mode 0600 and stores only its hash as an admin token', async () => {
    const { dataDir, open } = await setup();
    const backend = await open();
    const result = await ensureAdminToken(dataDir, backend, 1_000);

    expect(result.created).toBe(true);
    expect(result.path).toBe(path.join(dataDir, 'admin.token'));
    expect((await stat(result.path)).mode & 0o777).toBe(0o600);
    expect((await readFile(result.path, 'utf8')).trim()).toBe(result.secret);
    expect(await readdir(dataDir)).toEqual(['admin.token']);

    const tokens = await backend.read((tx) => tx.listTokens());
    expect(tokens).toEqual([
      {
        id: tokenIdOf(result.secret),
        hash: hashToken(result.secret),
        role: 'admin',
        agentName: null,
        label: 'admin (created at first start)',
        createdAt: 1_000,
        revokedAt: null,
        expiresAt: null,
      },
    ]);
  });

  it('reuses the existing file on the next start without creating a second token', async () => {
    const { dataDir, open } = await setup();
    const backend = await open();
    const first = await ensureAdminToken(dataDir, backend, 1_000);
    const second = await ensureAdminToken(dataDir, backend, 2_000);

    expect(second).toEqual({ path: first.path, created: false, secret: first.secret });
    expect(await backend.read((tx) => tx.listTokens())).toHaveLength(1);
  });

  it('stores the token again when the database was wiped but the file kept', async () => {
    const { dataDir, open } = await setup();
    const first = await ensureAdminToken(dataDir, await open('old.db'), 1_000);
    const fresh = await open('new.db');
    const again = await ensureAdminToken(dataDir, fresh, 2_000);

    expect(again.created).toBe(false);
    expect(again.secret).toBe(first.secret);
    const record = await fresh.read((tx) => tx.getTokenByHash(hashToken(first.secret)));
    expect(record?.role).toBe('admin');
  });

  it('refuses an admin.token that does not hold a kOS secret', async () => {
    const { dataDir, open } = await setup();
    const backend = await open();
    await ensureAdminToken(dataDir, backend, 1_000);
    await writeFile(path.join(dataDir, 'admin.token'), 'garbage\n');

    const err = await ensureAdminToken(dataDir, backend, 2_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KosError);
    expect((err as KosError).code).toBe('KOS_ERR_CONFIG_INVALID');
    expect((err as KosError).message).toContain('delete it');
  });
});

describe('createToken', () => {
  it('stores a token findable by the hash of the secret it returns', async () => {
    const { open } = await setup();
    const backend = await open();
    const { record, secret } = await createToken(backend, { role: 'agent', agentName: 'crawler' }, 5);

    expect(record).toMatchObject({ role: 'agent', agentName: 'crawler', label: 'agent token', createdAt: 5 });
    expect(tokenIdOf(secret)).toBe(record.id);
    expect(await backend.read((tx) => tx.getTokenByHash(hashToken(secret)))).toEqual(record);
  });

  it('leaves agentName unbound and uses the given label', async () => {
    const { open } = await setup();
    const backend = await open();
    const { record } = await createToken(backend, { role: 'submitter', label: 'ci' }, 5);
    expect(record.agentName).toBeNull();
    expect(record.label).toBe('ci');
  });
});
