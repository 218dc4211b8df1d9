/** Endpoint paths, relative to the issuer. */
export const ENDPOINTS = {
  /** The landing page at the issuer's root (issue 17 §1). */
  landing: '/',
  discovery: '/.well-known/openid-configuration',
  authorization: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  jwks: '/jwks',
  revocation: '/revoke',
  introspection: '/introspect',
  interaction: '/interaction',
  endSession: '/logout',
  checkSession: '/check-session',
  checkSessionState: '/check-session/state',
  health: '/healthz',
  ready: '/readyz',
  metrics: '/metrics',
  devCallback: '/dev/callback',
  /** The check_session iframe's question "is this client registered for this origin?" (issue 10 §6). */
  checkSessionOrigin: '/check-session/origin',
  /** The devices page (issue 13 §1), and where the sign-in it may need comes back to. */
  accountSessions: '/account/sessions',
  accountCallback: '/account/callback',
  /** The security page (issue 14 §2): second factors, and the passkey options its script fetches. */
  accountSecurity: '/account/security',
  accountPasskeyOptions: '/account/security/passkey-options',
  /** Self-service password reset (issue 17 §4): ask for a link, and the link's page. */
  accountForgot: '/account/forgot',
  accountReset: '/account/reset',
} as const;

/**
 * The issuer's path ('' at the root, '/id' for https://example.com/id). Links the provider sends
 * to a browser (redirects, form actions) start with it: behind a proxy that serves the provider
 * under that path, a root-relative `/interaction/…` would leave the provider, and its cookies
 * (scoped to the path, issue 10 §6) would not follow.
 */
export const issuerPath = (issuer: string): string => new URL(issuer).pathname.replace(/\/$/, '');
