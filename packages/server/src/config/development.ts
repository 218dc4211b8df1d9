/**
 * The configuration `npm start` runs without a file: clearly marked as development, loopback
 * issuer (on the port asked for, 3000 by default), SQLite under ./data, one demo user and the two
 * demo applications of `npm run demo` (examples/demo): a server-side app with back- and
 * front-channel logout, and a single-page app watching the session through check_session.
 */
export const DEV_USER = { username: 'demo', password: 'demo-battery-staple-horse' } as const;
export const DEV_CLIENT_ID = 'demo-app';
export const DEV_CLIENT_SECRET = 'demo-app-secret-for-development-only';
export const DEV_SPA_ID = 'demo-spa';

export const developmentConfig = (port = 3000): Record<string, unknown> => ({
  development: true,
  issuer: `http://localhost:${port}`,
  port,
  store: { sqlite: './data/signoff.sqlite' },
  clients: [
    {
      client_id: DEV_CLIENT_ID,
      client_name: 'Demo application',
      client_secret: DEV_CLIENT_SECRET,
      redirect_uris: [`http://localhost:${port}/dev/callback`, 'http://localhost:8080/callback', 'http://127.0.0.1:8080/callback'],
      post_logout_redirect_uris: ['http://localhost:8080/', 'http://127.0.0.1:8080/'],
      backchannel_logout_uri: 'http://localhost:8080/backchannel-logout',
      backchannel_logout_session_required: true,
      frontchannel_logout_uri: 'http://localhost:8080/frontchannel-logout',
      frontchannel_logout_session_required: true,
      grant_types: ['authorization_code', 'refresh_token'],
    },
    {
      client_id: DEV_SPA_ID,
      client_name: 'Demo single-page app',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://localhost:8081/callback.html'],
      post_logout_redirect_uris: ['http://localhost:8081/'],
      frontchannel_logout_uri: 'http://localhost:8081/frontchannel-logout.html',
      frontchannel_logout_session_required: true,
      grant_types: ['authorization_code'],
    },
  ],
  users: [
    {
      username: DEV_USER.username,
      password: DEV_USER.password,
      claims: { name: 'Demo User', email: 'demo@example.test', email_verified: true },
    },
  ],
});
