/**
 * The other side of the real-browser tests: the provider on a chosen loopback host name, and
 * tiny relying-party applications (node:http on 127.0.0.1) whose every request is recorded, so a
 * test can see exactly what the browser fetched — front-channel iframes included.
 *
 * Cross-site deployments: the provider's issuer is `http://localhost:P` and the applications are
 * `http://127.0.0.1:Q` — different sites for the browser (a site is scheme + registrable domain,
 * or the IP address itself; ports do not count). Same-site: both on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import { waitUntil } from './chromium.js';
import { type TestProvider, USERS, startProvider } from './provider.js';

export { USERS };

// ---------------------------------------------------------------------------------------------
// The provider

export type Op = TestProvider;

/** The real provider in this process, its issuer naming `host` (see startProvider). */
export const startOp = (opts: { host: 'localhost' | '127.0.0.1'; clients: Record<string, unknown>[] }): Promise<Op> =>
  startProvider({ clients: opts.clients }, { host: opts.host });

// ---------------------------------------------------------------------------------------------
// A recording HTTP server

export interface Hit {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  cookies: Record<string, string>;
  at: number;
}

export type Handler = (req: IncomingMessage, url: URL, res: ServerResponse) => void | Promise<void>;

const parseCookies = (header: string | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
};

export const sendHtml = (res: ServerResponse, body: string, headers: Record<string, string | string[]> = {}, status = 200): void => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body.startsWith('<!doctype') ? body : `<!doctype html><html><head><meta charset="utf-8"><title>app</title></head><body>${body}</body></html>`);
};

export const redirect = (res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void => {
  res.writeHead(302, { location, 'cache-control': 'no-store', ...headers });
  res.end();
};

export class AppServer {
  readonly hits: Hit[] = [];
  private readonly routes = new Map<string, Handler>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `http://127.0.0.1:PORT` */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<AppServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    const app = new AppServer(server, address.port);
    server.on('request', (req, res) => void app.handle(req, res));
    return app;
  }

  route(path: string, handler: Handler): this {
    this.routes.set(path, handler);
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    this.hits.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, cookies: parseCookies(req.headers.cookie), at: Date.now() });
    const handler = this.routes.get(url.pathname);
    try {
      if (handler) await handler(req, url, res);
      else sendHtml(res, '<h1>not found</h1>', {}, 404);
    } catch (err) {
      if (!res.headersSent) sendHtml(res, `<h1>app error</h1><pre>${String(err).replace(/</g, '&lt;')}</pre>`, {}, 500);
      else res.end();
    }
  }

  hitsOn(path: string): Hit[] {
    return this.hits.filter((h) => h.path === path);
  }

  /** The first request to `path` (after index `since` in the log) matching `match`. */
  waitForHit(path: string, opts: { since?: number; timeoutMs?: number; match?: (h: Hit) => boolean } = {}): Promise<Hit> {
    return waitUntil(`a request to ${this.origin}${path}`, () =>
      this.hits.slice(opts.since ?? 0).find((h) => h.path === path && (opts.match?.(h) ?? true)),
    opts.timeoutMs ?? 10_000);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// A server-side (confidential) relying party built on openid-client

export interface Callback {
  query: URLSearchParams;
  /** Set when the code was redeemed. */
  idToken?: string;
  claims?: oidc.IDToken;
  /** The OAuth error of the authorization response (e.g. login_required), or a redemption failure. */
  error?: string;
  /** The RP's own session cookie on the callback request, if the browser sent one. */
  cookie?: string;
}

export interface WebRp {
  clientId: string;
  config: oidc.Configuration;
  /** Authorization responses received at /callback, in order. */
  callbacks: Callback[];
  /** The `state` A sent with its end-session request. */
  logoutStates: string[];
  /** An authorization URL with fresh PKCE/state/nonce, the pending flow remembered for /callback. */
  authorizationUrl(extra?: Record<string, string>): Promise<URL>;
}

/** The RP's own session cookie; cookies ignore ports, so each app on 127.0.0.1 has its own name. */
export const rpCookieName = (clientId: string): string => `rp_session_${clientId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
export const randomId = (): string => randomBytes(12).toString('base64url');

/**
 * Installs a confidential client on `app`:
 *  GET /login[?prompt=none]  → the authorization endpoint (code + PKCE S256 + state + nonce)
 *  GET /callback             → redeems the code with openid-client; sets the RP's own session cookie
 *                              (`SameSite=None; Secure`, so the tests can see when a browser sends
 *                              it in a cross-site iframe)
 *  GET /logout               → openid-client's buildEndSessionUrl with id_token_hint,
 *                              post_logout_redirect_uri /logged-out and a fresh state
 *  GET /logged-out, /fcl     → plain pages (the recording is what matters)
 */
export const installWebRp = async (
  app: AppServer,
  opts: { issuer: string; clientId: string; clientSecret: string; scope?: string },
): Promise<WebRp> => {
  const config = await oidc.discovery(new URL(opts.issuer), opts.clientId, opts.clientSecret, oidc.ClientSecretBasic(opts.clientSecret), {
    execute: [oidc.allowInsecureRequests],
  });
  const cookieName = rpCookieName(opts.clientId);
  const pending = new Map<string, { verifier: string; nonce: string }>();
  const sessions = new Map<string, { idToken: string; claims: oidc.IDToken }>();
  const rp: WebRp = {
    clientId: opts.clientId,
    config,
    callbacks: [],
    logoutStates: [],
    authorizationUrl: async (extra = {}) => {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      pending.set(state, { verifier, nonce });
      return oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${app.origin}/callback`,
        scope: opts.scope ?? 'openid profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra,
      });
    },
  };
  app.route('/login', async (_req, url, res) => {
    const extra = Object.fromEntries(url.searchParams);
    redirect(res, (await rp.authorizationUrl(extra)).toString());
  });
  app.route('/callback', async (req, url, res) => {
    const cookie = parseCookies(req.headers.cookie)[cookieName];
    const record: Callback = { query: new URLSearchParams(url.searchParams), ...(cookie ? { cookie } : {}) };
    rp.callbacks.push(record);
    const state = url.searchParams.get('state') ?? '';
    const flow = pending.get(state);
    pending.delete(state);
    if (url.searchParams.has('error') || !flow) {
      record.error = url.searchParams.get('error') ?? 'unknown state';
      sendHtml(res, `<h1 id="status">error: ${record.error}</h1>`);
      return;
    }
    try {
      const tokens = await oidc.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: flow.verifier,
        expectedState: state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims || !tokens.id_token) throw new Error('no ID token');
      record.idToken = tokens.id_token;
      record.claims = claims;
      const id = randomId();
      sessions.set(id, { idToken: tokens.id_token, claims });
      sendHtml(res, `<h1 id="status">signed in as ${claims.sub}</h1>`, {
        'set-cookie': `${cookieName}=${id}; Path=/; SameSite=None; Secure; HttpOnly`,
      });
    } catch (err) {
      record.error = err instanceof oidc.ResponseBodyError || err instanceof oidc.AuthorizationResponseError ? err.error : String(err);
      sendHtml(res, `<h1 id="status">error: ${record.error}</h1>`);
    }
  });
  app.route('/logout', async (req, _url, res) => {
    const session = sessions.get(parseCookies(req.headers.cookie)[cookieName] ?? '');
    if (!session) return sendHtml(res, '<h1 id="status">not signed in</h1>', {}, 400);
    const state = oidc.randomState();
    rp.logoutStates.push(state);
    redirect(
      res,
      oidc.buildEndSessionUrl(config, { id_token_hint: session.idToken, post_logout_redirect_uri: `${app.origin}/logged-out`, state }).toString(),
    );
  });
  app.route('/logged-out', (_req, _url, res) => sendHtml(res, '<h1 id="status">signed out of the app</h1>'));
  app.route('/fcl', (_req, _url, res) => sendHtml(res, '<p>front-channel logout received</p>'));
  return rp;
};

// ---------------------------------------------------------------------------------------------
// Static files for the oidc-client-ts single-page application

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures');

/** The browser bundle of oidc-client-ts as installed (it defines the global `oidc`). */
export const oidcClientTsBundle = (): string => {
  const pkg = createRequire(import.meta.url).resolve('oidc-client-ts/package.json');
  return join(dirname(pkg), 'dist', 'browser', 'oidc-client-ts.min.js');
};

/** Serves a file from test/fixtures/ (or an absolute path) with its content type. */
export const serveFile = (app: AppServer, path: string, file: string): void => {
  const abs = file.startsWith('/') ? file : join(FIXTURES, file);
  const type = abs.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8';
  app.route(path, (_req, _url, res) => {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(readFileSync(abs));
  });
};

/** The oidc-client-ts SPA's registration: a public client with code + PKCE, served at `origin`. */
export const spaClient = (origin: string): Record<string, unknown> => ({
  client_id: 'spa-ts',
  client_name: 'oidc-client-ts SPA',
  token_endpoint_auth_method: 'none',
  require_pkce: true,
  redirect_uris: [`${origin}/`, `${origin}/silent.html`],
  post_logout_redirect_uris: [`${origin}/`],
  grant_types: ['authorization_code'],
});

/** Serves the oidc-client-ts SPA (test/fixtures/oidc-client-ts) from `spa`, set up for `issuer`. */
export const serveOidcClientTsSpa = (spa: AppServer, issuer: string): void => {
  const settings = {
    authority: issuer,
    client_id: 'spa-ts',
    redirect_uri: `${spa.origin}/`,
    silent_redirect_uri: `${spa.origin}/silent.html`,
    post_logout_redirect_uri: `${spa.origin}/`,
  };
  spa.route('/config.js', (_req, _url, res) => {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`window.SPA_SETTINGS = ${JSON.stringify(settings)};\n`);
  });
  serveFile(spa, '/', 'oidc-client-ts/index.html');
  serveFile(spa, '/silent.html', 'oidc-client-ts/silent.html');
  serveFile(spa, '/spa.js', 'oidc-client-ts/spa.js');
  serveFile(spa, '/oidc-client-ts.min.js', oidcClientTsBundle());
};
