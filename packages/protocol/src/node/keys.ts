import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KosError } from '../errors.ts';

/**
 * Ed25519 agent keys (node:crypto). The public key travels as base64url of its 32 raw bytes; the
 * key id is its fingerprint. Key files are JSON `{kid, public_key, private_key_pem}`, mode 0600.
 */
export interface AgentKey {
  kid: string;
  /** base64url of the 32 raw public-key bytes. */
  publicKey: string;
  privateKey: KeyObject;
}

const MAX_KEY_FILE_BYTES = 64 * 1024;

export function generateKey(): AgentKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return { kid: fingerprint(raw), publicKey: raw, privateKey };
}

/** `ed25519:` + base64url(SHA-256(raw public key)), first 22 characters. */
export function fingerprint(publicKey: string): string {
  const raw = decodeBase64Url(publicKey, 32);
  if (raw === null) {
    throw new KosError('KOS_ERR_KEY_INVALID', 'public key must be the base64url of 32 bytes (43 characters)');
  }
  return 'ed25519:' + createHash('sha256').update(raw).digest('base64url').slice(0, 22);
}

/**
 * Strict base64url: only the one canonical spelling of `bytes` bytes is accepted. Node's decoder
 * ignores stray characters and the unused low bits of the last character, so two strings would
 * otherwise decode to one key or signature.
 */
export function decodeBase64Url(s: unknown, bytes: number): Buffer | null {
  if (typeof s !== 'string' || s.length !== Math.ceil((bytes * 4) / 3) || !/^[A-Za-z0-9_-]*$/.test(s))
    return null;
  const buf = Buffer.from(s, 'base64url');
  return buf.length === bytes && buf.toString('base64url') === s ? buf : null;
}

/** The KeyObject of a base64url raw public key; throws KOS_ERR_KEY_INVALID. */
export function publicKeyObject(publicKey: string): KeyObject {
  if (decodeBase64Url(publicKey, 32) === null) {
    throw new KosError('KOS_ERR_KEY_INVALID', 'public key must be the base64url of 32 bytes (43 characters)');
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
}

/**
 * Writes the key file atomically (temporary file, then link/rename) with mode 0600. Refuses to
 * replace an existing file (KOS_ERR_KEY_EXISTS) unless `overwrite` is set: losing an agent's key
 * loses its name, which stays bound to the key it first connected with.
 */
export async function saveKey(
  path: string,
  key: AgentKey,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  checkPair(key.kid, key.publicKey, key.privateKey, path);
  const body = {
    kid: key.kid,
    public_key: key.publicKey,
    private_key_pem: key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.chmod(0o600); // the mode given to open() is reduced by the umask
    await fh.writeFile(JSON.stringify(body, null, 2) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    // link() fails with EEXIST instead of replacing: the no-overwrite check and the write are one step.
    await (options.overwrite === true ? rename(tmp, path) : link(tmp, path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new KosError('KOS_ERR_KEY_EXISTS', `a key file already exists at ${path}; it was kept`, { path });
    }
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined); // gone already after a rename
  }
}

/** Reads a key file written by saveKey. KOS_ERR_KEY_INVALID if missing, malformed or group/other-readable. */
export async function loadKey(path: string): Promise<AgentKey> {
  const invalid = (why: string, reason: string) =>
    new KosError('KOS_ERR_KEY_INVALID', `key file ${path}: ${why}`, { path, reason });
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw invalid('is not a regular file', 'not_a_file');
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
        const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
        throw invalid(`is readable by group or others (mode ${mode}); run chmod 600 ${path}`, 'permissions');
      }
      if (st.size > MAX_KEY_FILE_BYTES) throw invalid('is too large to be a key file', 'malformed');
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof KosError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw invalid(`cannot be read (${code ?? String(e)})`, code === 'ENOENT' ? 'not_found' : 'unreadable');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('is not JSON', 'malformed');
  }
  const { kid, public_key, private_key_pem } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof kid !== 'string' || typeof public_key !== 'string' || typeof private_key_pem !== 'string') {
    throw invalid('must be JSON {"kid", "public_key", "private_key_pem"} (strings)', 'malformed');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(private_key_pem);
  } catch {
    throw invalid('private_key_pem is not a PEM private key', 'malformed');
  }
  checkPair(kid, public_key, privateKey, path);
  return { kid, publicKey: public_key, privateKey };
}

/** The key id, the public key and the private key must be one Ed25519 key. */
function checkPair(kid: string, publicKey: string, privateKey: KeyObject, path: string): void {
  const fail = (why: string) =>
    new KosError('KOS_ERR_KEY_INVALID', `key ${path}: ${why}`, { path, reason: 'mismatch' });
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw fail('the private key is not an Ed25519 private key');
  }
  if (rawPublicKey(createPublicKey(privateKey)) !== publicKey) {
    throw fail('public_key is not the public half of the private key');
  }
  if (fingerprint(publicKey) !== kid) throw fail(`kid ${kid} is not the fingerprint of public_key`);
}

function rawPublicKey(key: KeyObject): string {
  const { x } = key.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new KosError('KOS_ERR_KEY_INVALID', 'not an Ed25519 key');
  return x;
}
