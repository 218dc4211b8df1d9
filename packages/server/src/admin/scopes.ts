/**
 * The admin API's scopes and audience (issue 12 §2, DESIGN.md "Contracts": `signoff.<area>.read|manage`).
 * They are OAuth scopes of the client credentials grant (RFC 6749 §4.4), not OpenID Connect
 * scopes: they release no claims and are never requested at the authorization endpoint.
 */
export const ADMIN_SCOPES: readonly string[] = [
  'signoff.sessions.read',
  'signoff.sessions.manage',
  'signoff.users.read',
  'signoff.users.manage',
  'signoff.clients.read',
  'signoff.clients.manage',
  'signoff.events.read',
  'signoff.deliveries.read',
  'signoff.deliveries.manage',
];

export const isAdminScope = (scope: string): boolean => ADMIN_SCOPES.includes(scope);

/** The admin API's base path; its base URL is the `aud` of its access tokens (RFC 9068 §3, RFC 8707 §2). */
export const ADMIN_BASE_PATH = '/admin/v1';

export const adminAudience = (issuer: string): string => issuer + ADMIN_BASE_PATH;

/**
 * The Shared Signals stream management scopes (issue 16 §2, SSF 1.0 §8.1): `ssf.manage` to create
 * and change a receiver's streams, `ssf.read` (or manage) to read them. Granted like the admin
 * scopes, through the client credentials grant to a client registered for them; a token carrying
 * only these opens no admin route, since every admin route names a signoff.* scope.
 */
export const SSF_SCOPES: readonly string[] = ['ssf.read', 'ssf.manage'];

/** Every scope of the client credentials grant. */
export const CLIENT_CREDENTIALS_SCOPES: readonly string[] = [...ADMIN_SCOPES, ...SSF_SCOPES];

export const isClientCredentialsScope = (scope: string): boolean => CLIENT_CREDENTIALS_SCOPES.includes(scope);
