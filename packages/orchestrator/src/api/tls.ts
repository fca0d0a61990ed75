import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KosError } from '@kos/protocol';
import type { Config } from '../config/types.ts';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/**
 * Reads and checks the PEM certificate and key of server.tls_* at start, so a wrong path, a
 * file that is no certificate or key, or a key of another certificate stops the start with every
 * problem named, instead of a TLS error at the first client.
 */
export async function loadTls(tls: Config['server']['tls']): Promise<TlsFiles | null> {
  if (tls === null) return null;
  const problems: string[] = [];
  const read = async (file: string, key: string): Promise<Buffer | null> => {
    try {
      return await readFile(file);
    } catch (err) {
      problems.push(`${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      return null;
    }
  };
  const cert = await read(tls.certFile, 'server.tls_cert_file');
  const key = await read(tls.keyFile, 'server.tls_key_file');
  let x509: X509Certificate | null = null;
  if (cert !== null) {
    try {
      x509 = new X509Certificate(cert);
    } catch {
      problems.push(`server.tls_cert_file: ${tls.certFile} is not a PEM certificate`);
    }
  }
  if (key !== null) {
    try {
      const privateKey = createPrivateKey(key);
      if (x509 !== null && !x509.checkPrivateKey(privateKey)) {
        problems.push(
          `server.tls_key_file: ${tls.keyFile} is not the key of the certificate ${tls.certFile}`,
        );
      }
    } catch {
      problems.push(`server.tls_key_file: ${tls.keyFile} is not a PEM private key`);
    }
  }
  if (problems.length > 0) {
    throw new KosError('KOS_ERR_CONFIG_INVALID', `TLS: ${problems.join('; ')}`, { problems });
  }
  return { cert: cert!, key: key! };
}
