import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { adminAudience } from '../admin/scopes.js';
import type { Client, ClientStore } from '../clients/store.js';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { signJwt, verifyOwnJwt } from './jwt.js';
import type { KeyRing } from './keys.js';
import type { TokenStore } from './token-store.js';

/** The token response of the client credentials grant (RFC 6749 §4.4.3): no refresh token, no ID token. */
export interface ClientTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * A JWT access token for a client acting on its own behalf (RFC 9068 §2.2): `sub` is the
 * client_id, `aud` the admin API's base URL, and it carries no `gid`, `sid` or `auth_time` since
 * no user, session or token family stands behind it.
 */
export const issueClientAccessToken = async (
  s: { issuer: string; keys: KeyRing; clock: Clock; ttl: { accessTokenTtl: number } },
  client: Client,
  scope: readonly string[],
): Promise<ClientTokenResponse> => {
  const now = nowSeconds(s.clock);
  const claims = {
    iss: s.issuer,
    sub: client.client_id,
    aud: adminAudience(s.issuer),
    client_id: client.client_id,
    iat: now,
    exp: now + s.ttl.accessTokenTtl,
    jti: randomUUID(),
    scope: scope.join(' '),
  };
  const accessToken = await signJwt(s.keys, client.id_token_signed_response_alg, claims, 'at+jwt');
  return { access_token: accessToken, token_type: 'Bearer', expires_in: s.ttl.accessTokenTtl, scope: scope.join(' ') };
};

export interface ActiveClientAccessToken {
  claims: JWTPayload & { sub: string; client_id: string; scope: string; jti: string; exp: number; iat: number; aud: string };
  client: Client;
}

/**
 * A client credentials access token is active when it verifies (signature by one of the
 * provider's keys, `iss`, `typ: at+jwt` per RFC 9068 §4, expiry), its `aud` is the admin API,
 * it names no user (`sub` = `client_id`, no token family), it was not revoked (RFC 7009), and its
 * client is still registered for the grant: removing a client, or its grant, ends its tokens.
 */
export const activeClientAccessToken = async (
  deps: { issuer: string; keys: KeyRing; clock: Clock; tokens: TokenStore; clients: ClientStore },
  token: string,
): Promise<ActiveClientAccessToken | undefined> => {
  const claims = await verifyOwnJwt(deps.keys, token, { issuer: deps.issuer, typ: 'at+jwt', nowSeconds: nowSeconds(deps.clock) });
  if (!claims || claims.gid !== undefined || claims.aud !== adminAudience(deps.issuer)) return undefined;
  const { sub, client_id: clientId, jti, scope } = claims;
  if (typeof sub !== 'string' || sub !== clientId || typeof jti !== 'string' || typeof scope !== 'string') return undefined;
  const [client, revoked] = await Promise.all([deps.clients.clientById(sub), deps.tokens.isAccessTokenRevoked(jti)]);
  if (!client || revoked || !client.grant_types.includes('client_credentials')) return undefined;
  return { claims: claims as ActiveClientAccessToken['claims'], client };
};
