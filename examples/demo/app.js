import { randomBytes } from 'node:crypto';
import http from 'node:http';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { esc, eventLog, page } from './page.js';

/**
 * "Shop", a server-side application (openid-client): its own session cookie, RP-initiated logout,
 * and both logout channels — a back-channel endpoint that verifies the logout token (Back-Channel
 * Logout §2.6) and a front-channel endpoint (Front-Channel Logout §2) — each ending the local
 * session that carries the `sid` they name.
 */
export const startApp = async ({ issuer, port, clientId, clientSecret }) => {
  const base = `http://localhost:${port}`;
  const config = await oidc.discovery(new URL(issuer), clientId, clientSecret, oidc.ClientSecretBasic(clientSecret), {
    execute: [oidc.allowInsecureRequests],
  });
  const jwks = jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  const log = eventLog('app');
  const sessions = new Map(); // our cookie -> { claims, idToken }
  const pending = new Map(); // state -> { verifier, nonce }

  const endBySid = (sid, how) => {
    let ended = 0;
    for (const [id, s] of sessions) if (s.claims.sid === sid) (sessions.delete(id), ended++);
    log.note(`${how} for sid ${sid}: ${ended ? 'ended the app session' : 'no app session had it'}`);
  };
  const current = (req) => sessions.get(/(?:^|;\s*)shop=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '');
  const readBody = (req) => new Promise((resolve) => {
    let body = '';
    req.on('data', (c) => (body += c.length + body.length > 65536 ? '' : c));
    req.on('end', () => resolve(body));
  });

  const routes = {
    async 'GET /'(req, res) {
      const s = current(req);
      const who = s
        ? `<p>Signed in as <strong>${esc(s.claims.name ?? s.claims.sub)}</strong> (sid <code>${esc(s.claims.sid)}</code>).</p>
           <p><a class="button" href="/logout">Sign out (RP-initiated logout)</a></p>`
        : '<p>Not signed in.</p><p><a class="button" href="/login">Sign in</a></p>';
      res.end(page('Demo application', `<h1>Demo application</h1><div class="box">${who}</div>
        <p>The single-page app is at <a href="http://localhost:8081/">localhost:8081</a>. This page refreshes itself.</p>${log.html()}`, { refresh: 3 }));
    },
    async 'GET /login'(_req, res) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      pending.set(state, { verifier, nonce });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${base}/callback`, scope: 'openid profile email', state, nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      res.writeHead(302, { location: url.href }).end();
    },
    async 'GET /callback'(req, res) {
      const url = new URL(req.url, base);
      const p = pending.get(url.searchParams.get('state'));
      if (!p) return res.writeHead(400).end('unknown state');
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: p.verifier, expectedState: url.searchParams.get('state'), expectedNonce: p.nonce });
      const id = randomBytes(16).toString('base64url');
      sessions.set(id, { claims: tokens.claims(), idToken: tokens.id_token });
      log.note(`signed in ${tokens.claims().preferred_username} (sid ${tokens.claims().sid})`);
      res.writeHead(302, { location: '/', 'set-cookie': `shop=${id}; Path=/; HttpOnly; SameSite=Lax` }).end();
    },
    async 'GET /logout'(req, res) {
      const s = current(req);
      const url = oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: `${base}/`, ...(s ? { id_token_hint: s.idToken } : {}) });
      log.note('sent the browser to the provider to sign out (RP-Initiated Logout)');
      res.writeHead(302, { location: url.href }).end();
    },
    async 'GET /frontchannel-logout'(req, res) {
      const q = new URL(req.url, base).searchParams;
      if (q.get('iss') === issuer) endBySid(q.get('sid'), 'front-channel logout (iframe)');
      res.writeHead(200, { 'cache-control': 'no-store' }).end('ok');
    },
    async 'POST /backchannel-logout'(req, res) {
      const token = new URLSearchParams(await readBody(req)).get('logout_token') ?? '';
      try {
        const { payload } = await jose.jwtVerify(token, jwks, { issuer, audience: clientId, typ: 'logout+jwt', maxTokenAge: '2 minutes' });
        const event = payload.events?.['http://schemas.openid.net/event/backchannel-logout'];
        if (!event || typeof event !== 'object' || payload.nonce !== undefined) throw new Error('not a logout token');
        endBySid(payload.sid, 'back-channel logout (verified logout token)');
        res.writeHead(200, { 'cache-control': 'no-store' }).end();
      } catch (err) {
        log.note(`refused a back-channel call: ${err.message}`);
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_request"}');
      }
    },
  };

  const server = http.createServer((req, res) => {
    const route = routes[`${req.method} ${new URL(req.url, base).pathname}`];
    if (!route) return res.writeHead(404).end();
    res.setHeader('content-type', 'text/html; charset=utf-8');
    route(req, res).catch((err) => res.writeHead(500).end(esc(err.message)));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
};
