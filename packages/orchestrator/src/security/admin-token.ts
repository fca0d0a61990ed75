import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { KosError } from '@kos/protocol';
import type { Backend } from '../store/backend.ts';
import type { TokenRecord, TokenRole } from '../store/records.ts';
import { createTokenSecret, hashToken, tokenIdOf } from './tokens.ts';

export const ADMIN_TOKEN_FILE = 'admin.token';
const ADMIN_LABEL = 'admin (created at first start)';

/**
 * Makes sure `<dataDir>/admin.token` holds an admin secret the store knows.
 *
 * The file is written before the record is inserted: a crash in between leaves a file whose hash
 * the next start finds missing and inserts, never a stored admin token nobody has the secret of.
 * The same repair covers a wiped database next to a kept data_dir.
 */
export async function ensureAdminToken(
  dataDir: string,
  backend: Backend,
  now: number,
): Promise<{ path: string; created: boolean; secret: string }> {
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  let secret = await readSecret(file);
  const created = secret === null;
  if (secret === null) {
    secret = createTokenSecret().secret;
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writePrivateFile(file, `${secret}\n`);
  }

  const id = tokenIdOf(secret);
  if (id === null) {
    throw new KosError(
      'KOS_ERR_CONFIG_INVALID',
      `${file} does not hold a kOS token (kos_<id>_<secret>); delete it to have a new admin token created`,
      { path: file },
    );
  }
  const hash = hashToken(secret);
  const record: TokenRecord = {
    id,
    hash,
    role: 'admin',
    agentName: null,
    label: ADMIN_LABEL,
    createdAt: now,
    revokedAt: null,
    expiresAt: null,
  };
  await backend.transaction(async (tx) => {
    // A revoked record stays revoked: revocation is an operator's decision, not damage to repair.
    if ((await tx.getTokenByHash(hash)) === null) await tx.insertToken(record);
  });
  return { path: file, created, secret };
}

/** Issues a new token; the secret is returned once and only its hash is stored. */
export async function createToken(
  backend: Backend,
  options: {
    role: TokenRole;
    agentName?: string | undefined;
    label?: string | undefined;
    /** When it stops working (epoch ms); absent: never. */
    expiresAt?: number | undefined;
  },
  now: number,
): Promise<{ record: TokenRecord; secret: string }> {
  const { id, secret, hash } = createTokenSecret();
  const record: TokenRecord = {
    id,
    hash,
    role: options.role,
    agentName: options.agentName ?? null,
    label: options.label ?? `${options.role} token`,
    createdAt: now,
    revokedAt: null,
    expiresAt: options.expiresAt ?? null,
  };
  await backend.transaction((tx) => tx.insertToken(record));
  return { record, secret };
}

async function readSecret(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Writes `content` so that no reader ever sees a partial or world-readable file: a temp file
 * created with mode 0600, flushed, then renamed over the target.
 */
async function writePrivateFile(file: string, content: string): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.chmod(0o600); // the umask could only narrow 0600, but be explicit
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
