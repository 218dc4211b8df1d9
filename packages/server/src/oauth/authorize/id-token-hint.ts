import type { Client } from '../../clients/store.js';
import { fail } from '../../errors.js';
import { type IdTokenHintDeps, verifyIdTokenHint } from '../../tokens/id-token-hint.js';
import { type Params, one } from '../params.js';
import type { AuthorizationRequest } from './request.js';

/**
 * `id_token_hint` at the authorization endpoint (OIDC Core §3.1.2.1): an ID token this provider
 * issued to this client, naming the user the client expects. Only its `sub` is kept with the
 * request (the token itself holds personal claims and is not stored). Its expiry is ignored —
 * it speaks of a past authentication. One issued to another client, forged, truncated or of
 * another issuer is an `invalid_request` returned to the client.
 */
export const withIdTokenHint = async (
  deps: IdTokenHintDeps,
  params: Params,
  client: Client,
  request: AuthorizationRequest,
): Promise<AuthorizationRequest> => {
  const raw = one(params, 'id_token_hint');
  if (raw === undefined) return request;
  const hint = await verifyIdTokenHint(deps, raw);
  if (hint.clientId !== client.client_id) fail('invalid_request', 'The id_token_hint was not issued to this client.');
  return { ...request, hintedSub: hint.sub };
};
