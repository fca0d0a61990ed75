/**
 * Security: bearer tokens, roles and the first-start admin token.
 *
 * ```ts
 * import { parseBearer, hashToken, requirePermission, mayActAsAgent } from './security/index.ts';
 * const secret = parseBearer(request.headers.authorization);
 * const token = secret === null ? null : await backend.read((tx) => tx.getTokenByHash(hashToken(secret)));
 * requirePermission(token, 'goal.submit', Date.now()); // throws KOS_ERR_UNAUTHENTICATED / KOS_ERR_FORBIDDEN
 * ```
 */
export { createTokenSecret, hashToken, parseBearer, secretMatchesHash, tokenIdOf } from './tokens.ts';
export {
  ACTIONS,
  ROLES,
  authorize,
  mayActAsAgent,
  requirePermission,
  rolesFor,
  tokenRefusal,
} from './rbac.ts';
export type { Action } from './rbac.ts';
export { ADMIN_TOKEN_FILE, createToken, ensureAdminToken } from './admin-token.ts';
export { allowlistEntryFor, checkedAddresses, isPrivateAddress, type Lookup } from './push-target.ts';
