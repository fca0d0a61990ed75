import type { FastifyRequest } from 'fastify';
import { tokenActor, type Actor } from '../app/core.ts';
import { hashToken, parseBearer, requirePermission, type Action } from '../security/index.ts';
import type { TokenRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';

/**
 * Resolves bearer tokens to their records. Tokens are few and change rarely, so known hashes are
 * cached; an unknown hash is looked up in the store each time (a new token works at once).
 */
export class Authenticator {
  private readonly known = new Map<string, TokenRecord>();

  constructor(private readonly store: Store) {}

  async tokenOf(req: FastifyRequest): Promise<TokenRecord | null> {
    const secret = parseBearer(req.headers.authorization);
    if (secret === null) return null;
    const hash = hashToken(secret);
    const cached = this.known.get(hash);
    if (cached && (cached.role !== 'agent' || cached.agentName !== null)) return cached;
    const record = await this.store.read((tx) => tx.getTokenByHash(hash));
    if (record) this.known.set(hash, record);
    return record;
  }

  /** The caller's token, checked for `action`; throws 401/403 with a typed code otherwise. */
  async require(req: FastifyRequest, action: Action): Promise<TokenRecord> {
    const token = await this.tokenOf(req);
    requirePermission(token, action);
    return token;
  }

  /** The caller as a use case's actor, its token checked for `action`. */
  async actor(req: FastifyRequest, action: Action): Promise<Actor> {
    return tokenActor(await this.require(req, action));
  }

  forget(hash: string): void {
    this.known.delete(hash);
  }
}
