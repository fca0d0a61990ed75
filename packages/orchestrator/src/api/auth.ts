import { KosError } from '@kos/protocol';
import type { FastifyRequest } from 'fastify';
import { tokenActor, type Actor } from '../app/core.ts';
import { hashToken, parseBearer, requirePermission, type Action } from '../security/index.ts';
import { cookieValue, parseSession, SESSION_COOKIE, sessionValid } from '../security/session-cookie.ts';
import type { EventRecord, TokenRecord } from '../store/records.ts';
import { TOKEN_REVOKED, type Store } from '../store/store.ts';

/** Who calls: the token, and whether it came as a bearer token or a session cookie. */
export interface Caller {
  token: TokenRecord;
  via: 'bearer' | 'cookie';
  /** When the session cookie expires (ms); null for a bearer token. */
  expiresAt: number | null;
}

/** A cookie-authenticated call that changes state must carry this header (see `require`). */
export const CSRF_HEADER = 'x-kos-csrf';

/**
 * Resolves the caller's token: a bearer token, or a dashboard session cookie. Tokens are few and
 * change rarely, so known ones are cached; an unknown one is looked up in the store each time (a
 * new token works at once).
 */
export class Authenticator {
  private readonly known = new Map<string, TokenRecord>();

  constructor(
    private readonly store: Store,
    /** The key session cookies are sealed with (security/session-cookie.ts). */
    readonly sessionKey: Buffer,
  ) {}

  async tokenOf(req: FastifyRequest): Promise<TokenRecord | null> {
    return (await this.callerOf(req))?.token ?? null;
  }

  /**
   * The caller's token and how it came: a bearer token (`expiresAt` null: tokens do not expire)
   * or a session cookie (until its expiry). Null without valid credentials.
   */
  async callerOf(req: FastifyRequest): Promise<Caller | null> {
    const secret = parseBearer(req.headers.authorization);
    if (secret !== null) {
      const token = await this.byHash(hashToken(secret));
      return token && { token, via: 'bearer', expiresAt: null };
    }
    const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
    return cookie === null ? null : this.bySession(cookie);
  }

  /**
   * The caller's token, checked for `action`; throws 401/403 with a typed code otherwise. A
   * session cookie is sent by the browser on its own, so a state-changing call made with one must
   * also carry the X-Kos-Csrf header, which another site's page cannot add (no CORS here).
   */
  async require(req: FastifyRequest, action: Action): Promise<TokenRecord> {
    const token = await this.tokenOf(req);
    requirePermission(token, action, this.store.now());
    const byCookie = parseBearer(req.headers.authorization) === null;
    if (byCookie && req.method !== 'GET' && req.method !== 'HEAD' && req.headers[CSRF_HEADER] === undefined) {
      throw new KosError(
        'KOS_ERR_FORBIDDEN',
        `a signed-in session may ${action} only with the ${CSRF_HEADER} header (any value); scripts of this origin add it`,
        { action },
      );
    }
    return token;
  }

  /** The caller as a use case's actor, its token checked for `action`. */
  async actor(req: FastifyRequest, action: Action): Promise<Actor> {
    return tokenActor(await this.require(req, action));
  }

  /** The token a bearer secret names (by its hash), or null. */
  async byHash(hash: string): Promise<TokenRecord | null> {
    const cached = this.known.get(hash);
    if (cached && (cached.role !== 'agent' || cached.agentName !== null)) return cached;
    const record = await this.store.read((tx) => tx.getTokenByHash(hash));
    if (record) this.known.set(hash, record);
    return record;
  }

  forget(hash: string): void {
    this.known.delete(hash);
  }

  /** Forgets a token revoked on any replica, so its next call reads it (revoked) from the store. */
  observe(event: EventRecord): void {
    const id = revokedTokenId(event);
    if (id === null) return;
    for (const [hash, token] of this.known) if (token.id === id) this.known.delete(hash);
  }

  /** The token of a valid, unexpired session cookie, or null. */
  private async bySession(value: string): Promise<Caller | null> {
    const session = parseSession(value);
    if (session === null) return null;
    // Known tokens by id, so a signed-in dashboard's requests do not list the tokens each time.
    let token = [...this.known.values()].find((t) => t.id === session.tokenId);
    if (!token) {
      token = (await this.store.read((tx) => tx.listTokens())).find((t) => t.id === session.tokenId);
      if (token) this.known.set(token.hash, token);
    }
    if (!token || !sessionValid(this.sessionKey, session, token.hash, this.store.now())) return null;
    return { token, via: 'cookie', expiresAt: session.expiresAt };
  }
}

/** The token a committed event revokes, or null. */
export function revokedTokenId(event: EventRecord): string | null {
  if (event.kind !== 'audit' || event.data.action !== TOKEN_REVOKED) return null;
  const id = event.data.token_id;
  return typeof id === 'string' ? id : null;
}
