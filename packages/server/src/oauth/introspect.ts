import type { AccountStore } from '../accounts/store.js';
import type { Client, ClientStore } from '../clients/store.js';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { fail } from '../errors.js';
import { isLive } from '../sessions/browser.js';
import type { SessionStore } from '../sessions/store.js';
import { activeAccessToken } from '../tokens/access-token.js';
import { activeClientAccessToken } from '../tokens/client-access-token.js';
import type { KeyRing } from '../tokens/keys.js';
import type { TokenStore } from '../tokens/token-store.js';
import { sha256 } from '../util/secrets.js';
import { type Params, one, required } from './params.js';

export interface IntrospectionDeps {
  issuer: string;
  keys: KeyRing;
  clock: Clock;
  tokens: TokenStore;
  sessions: SessionStore;
  accounts: AccountStore;
  clients: ClientStore;
}

export type Introspection = { active: false } | ({ active: true } & Record<string, unknown>);

/**
 * Token introspection (RFC 7662 §2) for authenticated clients. A client learns only about
 * tokens issued to it; everything else is `{"active": false}` (§2.2), revealing nothing.
 */
export const introspect = async (deps: IntrospectionDeps, client: Client, params: Params): Promise<Introspection> => {
  const token = required(params, 'token');
  const hint = one(params, 'token_type_hint');
  if (hint !== undefined && hint !== 'refresh_token' && hint !== 'access_token') {
    fail('unsupported_token_type', 'token_type_hint must be refresh_token or access_token.');
  }
  const inactive: Introspection = { active: false };
  const now = nowSeconds(deps.clock);
  const access = await activeAccessToken(deps, token);
  if (access) {
    if (access.claims.client_id !== client.client_id) return inactive;
    const account = await deps.accounts.accountById(access.claims.sub);
    if (!account || account.disabled) return inactive;
    const { iss, sub, aud, exp, iat, jti, scope, client_id, sid } = access.claims;
    return { active: true, token_type: 'Bearer', scope, client_id, username: account.username, sub, aud, iss, exp, iat, jti, sid };
  }
  // A client credentials token (RFC 6749 §4.4) names no user: no username, `sub` is the client.
  const own = await activeClientAccessToken(deps, token);
  if (own) {
    if (own.claims.client_id !== client.client_id) return inactive;
    const { iss, sub, aud, exp, iat, jti, scope, client_id } = own.claims;
    return { active: true, token_type: 'Bearer', scope, client_id, sub, aud, iss, exp, iat, jti };
  }
  const refresh = await deps.tokens.refreshTokenByHash(sha256(token));
  if (!refresh || refresh.clientId !== client.client_id || refresh.usedAt !== undefined || refresh.expiresAt <= now) return inactive;
  const family = await deps.tokens.familyById(refresh.familyId);
  if (!family || family.revokedAt !== undefined) return inactive;
  if (!family.offline) {
    const session = await deps.sessions.sessionById(family.sessionId);
    if (!session || !isLive(session, now)) return inactive;
  }
  const account = await deps.accounts.accountById(family.accountId);
  if (!account || account.disabled) return inactive;
  return {
    active: true,
    token_type: 'refresh_token',
    scope: refresh.scope.join(' '),
    client_id: refresh.clientId,
    username: account.username,
    sub: account.id,
    iss: deps.issuer,
    exp: refresh.expiresAt,
    iat: refresh.createdAt,
    sid: family.sid,
  };
};
