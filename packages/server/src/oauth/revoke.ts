import type { Client } from '../clients/store.js';
import { nowSeconds } from '../clock.js';
import { activeAccessToken } from '../tokens/access-token.js';
import { activeClientAccessToken } from '../tokens/client-access-token.js';
import { sha256 } from '../util/secrets.js';
import type { IntrospectionDeps } from './introspect.js';
import { type Params, one, required } from './params.js';

/**
 * Token revocation (RFC 7009 §2). Revoking a refresh token revokes its family, and with it the
 * access tokens issued from it (§2.1 "SHOULD"); revoking an access token denylists it until it
 * expires. Unknown, invalid or already revoked tokens answer 200 like success (§2.2).
 *
 * A token issued to another client is left untouched and answered exactly like an invalid one
 * (issue 10 §6): an error there would tell any client whether a token it holds is live for
 * someone else. §2.1 lets the server refuse it; refusing it with the invalid token's answer
 * keeps that refusal without the oracle.
 */
export const revokeToken = async (deps: IntrospectionDeps, client: Client, params: Params): Promise<void> => {
  const token = required(params, 'token');
  // §2.1: the hint only speeds up the lookup, and an unknown one must not change the outcome;
  // both token types are looked up anyway, so it is read (once, to refuse duplicates) and ignored.
  one(params, 'token_type_hint');
  const now = nowSeconds(deps.clock);
  const refresh = await deps.tokens.refreshTokenByHash(sha256(token));
  if (refresh) {
    if (refresh.clientId === client.client_id) await deps.tokens.revokeFamily(refresh.familyId, now);
    return;
  }
  const access = await activeAccessToken(deps, token);
  if (access && access.claims.client_id === client.client_id) await deps.tokens.revokeAccessToken(access.claims.jti, access.claims.exp);
  const own = access ? undefined : await activeClientAccessToken(deps, token);
  if (own && own.claims.client_id === client.client_id) await deps.tokens.revokeAccessToken(own.claims.jti, own.claims.exp);
};
