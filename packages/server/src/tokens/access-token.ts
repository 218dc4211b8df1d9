import type { JWTPayload } from 'jose';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { isLive } from '../sessions/browser.js';
import type { SessionStore } from '../sessions/store.js';
import { verifyOwnJwt } from './jwt.js';
import type { KeyRing } from './keys.js';
import { isOpaqueAccessToken, openAccessToken } from './opaque-access-token.js';
import type { TokenFamily, TokenStore } from './token-store.js';

export interface ActiveAccessToken {
  claims: JWTPayload & { sub: string; client_id: string; scope: string; jti: string; exp: number };
  family: TokenFamily;
}

/**
 * An access token is active when it verifies (signature, issuer, `typ: at+jwt` per RFC 9068 §4,
 * expiry) or, when opaque, opens under the provider's access-token key (issuer, expiry); was not
 * revoked on its own; its family was not revoked and is the family of the token's own `sub`,
 * `client_id` and `sid` (issue 10 §5: a token naming one account and another account's family is
 * forged); and — unless the family holds offline_access — the SSO session it was issued in is
 * still live.
 */
export const activeAccessToken = async (
  deps: { issuer: string; keys: KeyRing; clock: Clock; tokens: TokenStore; sessions: SessionStore },
  token: string,
): Promise<ActiveAccessToken | undefined> => {
  const now = nowSeconds(deps.clock);
  const claims = isOpaqueAccessToken(token)
    ? await openAccessToken(await deps.keys.accessTokenKey(), token, { issuer: deps.issuer, nowSeconds: now })
    : await verifyOwnJwt(deps.keys, token, { issuer: deps.issuer, typ: 'at+jwt', nowSeconds: now });
  if (!claims || typeof claims.gid !== 'string' || typeof claims.jti !== 'string' || typeof claims.sub !== 'string') return undefined;
  const [family, revoked] = await Promise.all([deps.tokens.familyById(claims.gid), deps.tokens.isAccessTokenRevoked(claims.jti)]);
  if (!family || family.revokedAt !== undefined || revoked) return undefined;
  if (family.accountId !== claims.sub || family.clientId !== claims.client_id || family.sid !== claims.sid) return undefined;
  if (!family.offline) {
    const session = await deps.sessions.sessionById(family.sessionId);
    if (!session || !isLive(session, now)) return undefined;
  }
  return { claims: claims as ActiveAccessToken['claims'], family };
};
