import type { FastifyInstance } from 'fastify';
import { CLAIMS_SUPPORTED, SUPPORTED_SCOPES } from '../../claims/scopes.js';
import { AUTH_METHODS, SIGNING_ALGS } from '../../clients/store.js';
import type { AcrValue } from '../../oauth/authorize/acr.js';
import { PROMPTS } from '../../oauth/authorize/request.js';
import type { Provider } from '../../provider.js';
import { ENDPOINTS } from '../endpoints.js';
import { LOCALES } from '../pages/i18n/index.js';

/** OpenID Provider Metadata (OIDC Discovery 1.0 §3), built once per process. */
export const discoveryDocument = (issuer: string, acrValues: readonly AcrValue[]): Record<string, unknown> => ({
  issuer,
  authorization_endpoint: issuer + ENDPOINTS.authorization,
  token_endpoint: issuer + ENDPOINTS.token,
  userinfo_endpoint: issuer + ENDPOINTS.userinfo,
  jwks_uri: issuer + ENDPOINTS.jwks,
  revocation_endpoint: issuer + ENDPOINTS.revocation,
  introspection_endpoint: issuer + ENDPOINTS.introspection,
  // RP-Initiated Logout §2.1, Front-Channel Logout §3, Session Management §3.3.
  end_session_endpoint: issuer + ENDPOINTS.endSession,
  frontchannel_logout_supported: true,
  frontchannel_logout_session_supported: true,
  check_session_iframe: issuer + ENDPOINTS.checkSession,
  // A Signoff extension (issue 13 §1): where an application can send its users to see where they
  // are signed in and sign devices out.
  account_sessions_uri: issuer + ENDPOINTS.accountSessions,
  // Only the OpenID Connect scopes: the admin API's signoff.* scopes are not requestable at the
  // authorization endpoint (it refuses them), and listing them would advertise the admin surface
  // to every relying party; an operator registers them per client (README, "Client metadata").
  scopes_supported: SUPPORTED_SCOPES,
  response_types_supported: ['code'],
  response_modes_supported: ['query', 'form_post'],
  grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: SIGNING_ALGS,
  token_endpoint_auth_methods_supported: AUTH_METHODS,
  revocation_endpoint_auth_methods_supported: AUTH_METHODS,
  introspection_endpoint_auth_methods_supported: AUTH_METHODS.filter((m) => m !== 'none'),
  code_challenge_methods_supported: ['S256'],
  claims_supported: CLAIMS_SUPPORTED,
  prompt_values_supported: PROMPTS,
  // OIDC Core §3.1.2.1: the pages speak these (issue 13 §2).
  ui_locales_supported: LOCALES,
  // OIDC Core §5.5.1.1: an `acr` claim request, essential or not, is honoured (issue 14 §3);
  // other requested claims are answered by scope, as §5.5 lets a provider do.
  claims_parameter_supported: true,
  // The configured authentication levels, lowest first (issue 14 §2).
  acr_values_supported: acrValues.map((v) => v.value),
  request_parameter_supported: false,
  request_uri_parameter_supported: false,
  authorization_response_iss_parameter_supported: true,
  // Back-Channel Logout 1.0 §2.1: logout tokens are sent, and they carry `sid`.
  backchannel_logout_supported: true,
  backchannel_logout_session_supported: true,
});

export const discoveryRoutes = (app: FastifyInstance, p: Provider): void => {
  const doc = discoveryDocument(p.config.issuer, p.config.acrValues);
  app.get(ENDPOINTS.discovery, { config: { cors: true } }, async (_req, reply) => reply.header('cache-control', 'public, max-age=300').send(doc));
};
