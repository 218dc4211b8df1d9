/** Endpoint paths, relative to the issuer. */
export const ENDPOINTS = {
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
} as const;
