import { CLIENT_CREDENTIALS_SCOPES, isClientCredentialsScope } from '../admin/scopes.js';
import { SUPPORTED_SCOPES } from '../claims/scopes.js';
import { ConfigError, array, boolean, duration, integer, object, oneOf, optional, optionalString, string } from '../config/validate.js';
import { ACCESS_TOKEN_FORMATS, AUTH_METHODS, type AuthMethod, type ClientMetadata, GRANT_TYPES, type GrantType, SIGNING_ALGS } from './store.js';

/** Client secrets are stored as SHA-256, which is only safe for high-entropy secrets. */
export const MIN_SECRET_LENGTH = 32;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const parseAbsolute = (value: string, key: string): URL => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(key, `"${value}" is not an absolute URI`);
  }
  if (url.hash || value.includes('#')) throw new ConfigError(key, `"${value}" must not contain a fragment`);
  return url;
};

/**
 * Redirect targets (OIDC Registration §2, RFC 8252 §7): https anywhere, http only on loopback,
 * or a private-use scheme (reverse domain name) for native applications.
 */
const redirectUri = (value: unknown, key: string): string => {
  const uri = string()(value, key);
  const url = parseAbsolute(uri, key);
  if (url.protocol === 'https:') return uri;
  if (url.protocol === 'http:') {
    if (LOOPBACK_HOSTS.has(url.hostname)) return uri;
    throw new ConfigError(key, `"${uri}" uses http on a non-loopback host; use https`);
  }
  if (/^[a-z][a-z0-9+-]*\.[a-z0-9.+-]+:$/.test(url.protocol)) return uri;
  throw new ConfigError(key, `"${uri}" must use https, http on loopback, or a private-use scheme`);
};

/** Logout endpoints the provider calls or frames: absolute http(s), no fragment (BCL §2.2, FCL §2). */
const logoutUri = (value: unknown, key: string): string | undefined => {
  if (value === undefined) return undefined;
  const uri = string()(value, key);
  const url = parseAbsolute(uri, key);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(key, `"${uri}" must use https or http`);
  return uri;
};

/**
 * RFC 7591 §2 logo_uri, policy_uri, tos_uri: pages a person is shown or the logo they load, so
 * https (http only on loopback, like redirect URIs), no fragment.
 */
const webUri = (value: unknown, key: string): string | undefined => {
  if (value === undefined) return undefined;
  const uri = string()(value, key);
  const url = parseAbsolute(uri, key);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return uri;
  throw new ConfigError(key, `"${uri}" must use https (http only on a loopback host)`);
};

const origin = (value: unknown, key: string): string => {
  const raw = string()(value, key);
  const url = parseAbsolute(raw, key);
  if (url.origin === 'null' || url.origin !== raw.replace(/\/$/, '')) throw new ConfigError(key, `"${raw}" is not an origin (scheme://host[:port])`);
  return url.origin;
};

const shape = object({
  client_id: string({ pattern: /^[\x21-\x7e]{1,128}$/, hint: 'must be 1-128 visible ASCII characters' }),
  client_secret: optionalString(),
  client_name: optionalString(),
  redirect_uris: array(redirectUri, []),
  post_logout_redirect_uris: array(redirectUri, []),
  backchannel_logout_uri: logoutUri,
  backchannel_logout_session_required: boolean(false),
  frontchannel_logout_uri: logoutUri,
  frontchannel_logout_session_required: boolean(false),
  token_endpoint_auth_method: optional(oneOf(AUTH_METHODS)),
  grant_types: array<GrantType>(oneOf(GRANT_TYPES), ['authorization_code']),
  response_types: array<'code'>(oneOf(['code'] as const), ['code']),
  scope: optionalString(),
  id_token_signed_response_alg: oneOf(SIGNING_ALGS, 'RS256'),
  access_token_format: oneOf(ACCESS_TOKEN_FORMATS, 'jwt'),
  require_consent: boolean(false),
  require_pkce: boolean(false),
  allowed_origins: array(origin, []),
  default_max_age: optional(integer({ min: 0 })),
  max_auth_age: optional(duration()),
  max_idle: optional(duration()),
  default_acr_values: optional(array(string({ pattern: /^[\x21-\x7e]{1,256}$/, hint: 'must be 1-256 visible ASCII characters' }))),
  require_acr: optional(string({ pattern: /^[\x21-\x7e]{1,256}$/, hint: 'must be 1-256 visible ASCII characters' })),
  max_factor_age: optional(duration()),
  require_logout_confirmation: boolean(false),
  logo_uri: webUri,
  policy_uri: webUri,
  tos_uri: webUri,
});

/**
 * The registered `scope` (RFC 7591 §2): what the client may ask for. OpenID Connect scopes go with
 * the authorization code grant and default to all of them; the admin scopes (signoff.*) go with
 * the client credentials grant and are never implied: such a client lists the ones it needs.
 */
const clientScope = (value: string | undefined, grants: readonly string[], key: string): string => {
  const credentials = grants.includes('client_credentials');
  if (value === undefined) {
    if (credentials) throw new ConfigError(key, 'required with the client_credentials grant: list the signoff.* scopes the client may ask for');
    return SUPPORTED_SCOPES.join(' ');
  }
  const oidc = grants.includes('authorization_code') || !credentials;
  const known = [...(oidc ? SUPPORTED_SCOPES : []), ...(credentials ? CLIENT_CREDENTIALS_SCOPES : [])];
  const scopes = value.split(' ').filter(Boolean);
  if (scopes.length === 0) throw new ConfigError(key, 'must list at least one scope');
  for (const s of scopes) {
    if (!known.includes(s)) {
      const why = isClientCredentialsScope(s) ? ' (admin and ssf.* scopes need the client_credentials grant)' : '';
      throw new ConfigError(key, `unsupported scope "${s}"${why} (supported here: ${known.join(' ')})`);
    }
  }
  return scopes.join(' ');
};

/** Validates registration metadata; returns the metadata and the plaintext secret (if any). */
export const parseClientMetadata = (input: unknown, key: string): { metadata: ClientMetadata; secret?: string } => {
  const raw = shape(input, key);
  const grants = raw.grant_types;
  // RFC 7591 §2: redirect_uris is for redirect-based flows; a client with only the client
  // credentials grant (RFC 6749 §4.4) never sees a redirect and registers none.
  const redirects = grants.includes('authorization_code');
  if (redirects && raw.redirect_uris.length === 0) throw new ConfigError(`${key}.redirect_uris`, 'at least one redirect URI is required');
  const method: AuthMethod = raw.token_endpoint_auth_method ?? (raw.client_secret ? 'client_secret_basic' : 'none');
  // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential clients."
  if (method === 'none' && grants.includes('client_credentials')) {
    throw new ConfigError(`${key}.grant_types`, 'client_credentials is only for confidential clients (a client_secret and token_endpoint_auth_method other than "none")');
  }
  if (method === 'none' && raw.client_secret !== undefined) {
    throw new ConfigError(`${key}.client_secret`, 'a public client (token_endpoint_auth_method "none") has no secret');
  }
  if (method !== 'none') {
    if (raw.client_secret === undefined) throw new ConfigError(`${key}.client_secret`, `required for ${method}`);
    if (raw.client_secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`${key}.client_secret`, `must be at least ${MIN_SECRET_LENGTH} characters (it is stored as a SHA-256 hash)`);
    }
  }
  const scope = clientScope(raw.scope, grants, `${key}.scope`);
  if (raw.frontchannel_logout_uri !== undefined) {
    // Front-Channel Logout §2: same scheme, host and port as one of the client's redirect URIs.
    const target = new URL(raw.frontchannel_logout_uri).origin;
    if (!raw.redirect_uris.some((r) => new URL(r).origin === target)) {
      throw new ConfigError(`${key}.frontchannel_logout_uri`, 'must have the same scheme, host and port as one of redirect_uris');
    }
  }
  const { client_secret: secret, token_endpoint_auth_method: _method, scope: _scope, ...rest } = raw;
  const metadata: ClientMetadata = { ...rest, scope, token_endpoint_auth_method: method };
  return secret === undefined ? { metadata } : { metadata, secret };
};

export const isPublic = (client: ClientMetadata): boolean => client.token_endpoint_auth_method === 'none';

/** Origins allowed for CORS: those of the redirect URIs plus allowed_origins. */
export const clientOrigins = (client: ClientMetadata): string[] => {
  const origins = new Set(client.allowed_origins);
  for (const uri of client.redirect_uris) {
    const o = new URL(uri).origin;
    if (o !== 'null') origins.add(o);
  }
  return [...origins];
};
