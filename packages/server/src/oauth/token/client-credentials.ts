import { isClientCredentialsScope } from '../../admin/scopes.js';
import { isPublic } from '../../clients/metadata.js';
import type { Client } from '../../clients/store.js';
import { fail } from '../../errors.js';
import { type ClientTokenResponse, issueClientAccessToken } from '../../tokens/client-access-token.js';
import type { TokenSettings } from '../../tokens/issue.js';
import { type Params, one } from '../params.js';

/**
 * The client_credentials grant (RFC 6749 §4.4): a confidential client, already authenticated
 * (§4.4.2), gets an access token for the admin API on its own behalf. `scope` may narrow the
 * client's registered admin scopes, never widen them (§3.3; §5.2 `invalid_scope`); without it
 * the token carries all of them (§3.3: the server's documented default). No refresh token
 * (§4.4.3) and no ID token, since no user signed in.
 */
export const clientCredentialsGrant = async (s: TokenSettings, client: Client, params: Params): Promise<ClientTokenResponse> => {
  if (isPublic(client) || !client.grant_types.includes('client_credentials')) {
    fail('unauthorized_client', 'This client may not use the client_credentials grant.');
  }
  const registered = client.scope.split(' ').filter(isClientCredentialsScope);
  const requested = one(params, 'scope');
  let scope = registered;
  if (requested !== undefined) {
    scope = [...new Set(requested.split(' ').filter(Boolean))];
    if (scope.length === 0) fail('invalid_scope', 'The scope parameter is empty.');
    const beyond = scope.filter((x) => !registered.includes(x));
    if (beyond.length > 0) fail('invalid_scope', `The client is not registered for the scope "${beyond.join(' ')}".`);
  }
  if (scope.length === 0) fail('invalid_scope', 'The client is registered for no admin scope.');
  return issueClientAccessToken(s, client, scope);
};
