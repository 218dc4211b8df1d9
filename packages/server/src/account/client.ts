import type { SeedClient } from '../clients/registry.js';
import { ENDPOINTS } from '../http/endpoints.js';

/**
 * The account pages' own client (issue 13 §1), as Keycloak's account console is a client of its
 * realm: a page that needs a signed-in user sends the browser through the normal sign-in with
 * it, and the callback brings the browser back. Public, PKCE, `openid` only; its code is never
 * redeemed (the callback needs the browser's session, not tokens). Seeded with the
 * configuration's clients, so the configuration cannot use its id.
 */
export const ACCOUNT_CLIENT_ID = 'signoff-account';

export const accountClient = (issuer: string): SeedClient => ({
  metadata: {
    client_id: ACCOUNT_CLIENT_ID,
    client_name: 'Account',
    redirect_uris: [issuer + ENDPOINTS.accountCallback],
    post_logout_redirect_uris: [],
    backchannel_logout_session_required: false,
    frontchannel_logout_session_required: false,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: 'openid',
    id_token_signed_response_alg: 'RS256',
    require_consent: false,
    require_pkce: true,
    allowed_origins: [],
  },
});
