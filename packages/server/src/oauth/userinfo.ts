import { claimsForScopes } from '../claims/scopes.js';
import { fail } from '../errors.js';
import { activeAccessToken } from '../tokens/access-token.js';
import type { IntrospectionDeps } from './introspect.js';

/** The UserInfo response (OIDC Core §5.3.2): `sub` plus the claims the token's scopes release. */
export const userinfo = async (deps: IntrospectionDeps, accessToken: string): Promise<Record<string, unknown>> => {
  const active = await activeAccessToken(deps, accessToken);
  if (!active) fail('invalid_token', 'The access token is invalid, expired or revoked.');
  const account = await deps.accounts.accountById(active.claims.sub);
  if (!account || account.disabled) fail('invalid_token', 'The access token is invalid, expired or revoked.');
  const scopes = active.claims.scope.split(' ');
  return { sub: account.id, ...claimsForScopes(scopes, { preferred_username: account.username, ...account.claims }) };
};
