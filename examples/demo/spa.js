import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * "Wiki", a single-page application (oidc-client-ts, public client with PKCE) that watches the
 * provider session through the check_session iframe (Session Management 1.0) and has a
 * front-channel logout page. This server only serves its static files.
 */
export const startSpa = async ({ issuer, port, clientId }) => {
  const library = fileURLToPath(new URL('../browser/oidc-client-ts.min.js', import.meta.resolve('oidc-client-ts')));
  const files = {
    '/': ['spa/index.html', 'text/html'],
    '/callback.html': ['spa/callback.html', 'text/html'],
    '/frontchannel-logout.html': ['spa/frontchannel-logout.html', 'text/html'],
    '/settings.js': [null, 'text/javascript'],
    '/oidc-client-ts.min.js': [library, 'text/javascript'],
  };
  const settings = `window.SETTINGS = ${JSON.stringify({
    authority: issuer,
    client_id: clientId,
    redirect_uri: `http://localhost:${port}/callback.html`,
    post_logout_redirect_uri: `http://localhost:${port}/`,
    scope: 'openid profile',
    monitorSession: true,
    checkSessionIntervalInSeconds: 2,
  })};
// The user is kept in localStorage (not the default sessionStorage, which is per tab) so that
// the front-channel logout page, loaded in an iframe of the provider's page, can remove it.
window.makeManager = () => new oidc.UserManager({ ...SETTINGS, userStore: new oidc.WebStorageStateStore({ store: window.localStorage }) });`;
  const server = http.createServer(async (req, res) => {
    const entry = files[new URL(req.url, 'http://x').pathname];
    if (!entry) return res.writeHead(404).end();
    const [file, type] = entry;
    const body = file === null ? settings : await readFile(file.startsWith('/') ? file : new URL(file, import.meta.url));
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
};
