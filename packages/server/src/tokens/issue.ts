import { createHash, randomUUID } from 'node:crypto';
import type { Account } from '../accounts/store.js';
import { claimsForScopes } from '../claims/scopes.js';
import type { Client } from '../clients/store.js';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { randomToken, sha256 } from '../util/secrets.js';
import { signJwt } from './jwt.js';
import type { KeyRing } from './keys.js';
import { sealAccessToken } from './opaque-access-token.js';
import type { TokenFamily, TokenStore } from './token-store.js';

export interface TokenSettings {
  issuer: string;
  keys: KeyRing;
  clock: Clock;
  tokens: TokenStore;
  ttl: { accessTokenTtl: number; idTokenTtl: number; refreshTokenTtl: number };
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  id_token: string;
  refresh_token?: string;
  scope: string;
}

/** at_hash: base64url of the left half of the SHA-256 of the access token (OIDC Core §3.1.3.6). */
const atHash = (accessToken: string): string =>
  createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

/**
 * A new refresh token for clients allowed the refresh_token grant: the value for the response and
 * the hash the store keeps. The grant stores it in the same statement that redeems the code or
 * spends the previous token (issue 18 P2/P6: one round trip fewer).
 */
export const newRefreshToken = (s: Pick<TokenSettings, 'ttl'>, client: Client, now: number): { value: string; hash: string; expiresAt: number } | undefined => {
  if (!client.grant_types.includes('refresh_token')) return undefined;
  const value = randomToken(32);
  return { value, hash: sha256(value), expiresAt: now + s.ttl.refreshTokenTtl };
};

/**
 * Issues the tokens of one token-endpoint response for a family: an access token (a JWT per
 * RFC 9068, or opaque when the client registered `access_token_format: "opaque"`),
 * an ID token (OIDC Core §2) carrying the participant's `sid`, and the refresh token the grant
 * has already stored (only as its hash; see newRefreshToken), if any.
 */
export const issueTokens = async (
  s: TokenSettings,
  input: { client: Client; account: Account; family: TokenFamily; scope: string[]; nonce?: string | undefined; refreshToken?: string | undefined },
): Promise<TokenResponse> => {
  const { client, account, family, scope } = input;
  const now = nowSeconds(s.clock);
  const alg = client.id_token_signed_response_alg;
  const claims = {
    iss: s.issuer,
    sub: account.id,
    aud: s.issuer,
    client_id: client.client_id,
    iat: now,
    exp: now + s.ttl.accessTokenTtl,
    jti: randomUUID(),
    scope: scope.join(' '),
    auth_time: family.authTime,
    acr: family.acr,
    sid: family.sid,
    gid: family.id,
  };
  // issue 18: an opaque token is sealed, not signed — the response's one signature is the ID token's.
  const accessToken = client.access_token_format === 'opaque' ? await sealAccessToken(await s.keys.accessTokenKey(), claims) : await signJwt(s.keys, alg, claims, 'at+jwt');
  const idToken = await signJwt(s.keys, alg, {
    iss: s.issuer,
    sub: account.id,
    aud: client.client_id,
    azp: client.client_id,
    iat: now,
    exp: now + s.ttl.idTokenTtl,
    auth_time: family.authTime,
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    acr: family.acr,
    amr: family.amr,
    sid: family.sid,
    at_hash: atHash(accessToken),
    ...claimsForScopes(scope, { preferred_username: account.username, ...account.claims }),
  });
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: s.ttl.accessTokenTtl,
    id_token: idToken,
    scope: scope.join(' '),
  };
  if (input.refreshToken !== undefined) response.refresh_token = input.refreshToken;
  return response;
};
