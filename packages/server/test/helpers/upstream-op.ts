/**
 * An upstream OpenID provider for the federation tests (issue 15): panva's oidc-provider v9 on
 * 127.0.0.1 with plain http, one registered client (Signoff, or a test's openid-client), users
 * with claims, and an interaction handler of its own — a login form and an auto-granted consent —
 * so a TestBrowser drives it with plain HTTP. RP-Initiated Logout (with its confirmation form)
 * and Back-Channel Logout are on; ID tokens carry `sid` because the client requires sessions
 * (Back-Channel Logout 1.0 §2.1, `backchannel_logout_session_required`).
 *
 * What loopback needs (oidc-provider is strict by default):
 * - an http issuer and http redirect URIs are accepted for `web` clients of the code flow (only
 *   implicit-flow web clients must use https), so no override is needed there;
 * - outgoing requests (back-channel logout) go through an SSRF-protecting dispatcher that
 *   destroys sockets to special-use addresses, 127.0.0.0/8 and ::1 included; the `fetch` option
 *   below drops that dispatcher, or no logout token would ever reach a loopback receiver;
 * - `conformIdTokenClaims: false`, or the ID token of a code flow carries only `sub` and the
 *   email/profile claims go to userinfo alone (OIDC Core §5.4 allows either).
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import Provider, { type Adapter, type AdapterPayload, type InteractionDetails, type SessionInstance } from 'oidc-provider';
import { type Hop, type TestBrowser, parseForm } from './browser.js';
import { endSessionQuery } from './rp.js';

export interface UpstreamUser {
  sub: string;
  login: string;
  password: string;
  email: string;
  /** Absent: the claim is left out (an upstream that says nothing of verification). */
  email_verified?: boolean;
  name: string;
  /** Further claims the upstream reports (preferred_username, nickname: hostile values for the linking tests). */
  claims?: { preferred_username?: string; nickname?: string };
  /** Authentication methods (RFC 8176) and context class the login reports in the ID token. */
  amr?: string[];
  acr?: string;
}

export interface UpstreamClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string;
}

export interface UpstreamOp {
  issuer: string;
  provider: Provider;
  client: UpstreamClient;
  users: UpstreamUser[];
  /** Back-channel deliveries that failed (oidc-provider's `backchannel.error`), for diagnostics. */
  backchannelErrors: unknown[];
  /**
   * Completes the login form: `page` is the hop the browser landed on (or a URL to open first).
   * Redirects are followed on the upstream and on `opts.follow`; returns the first hop that leaves
   * them (the redirect to the client's redirect_uri, when nothing else is followed).
   */
  signIn(browser: TestBrowser, user: UpstreamUser, page: Hop | string, opts?: { follow?: string[] }): Promise<Hop>;
  /**
   * RP-Initiated Logout 1.0 §2 at the upstream: opens its end_session_endpoint with the hint and
   * post-logout redirect URI, then confirms ("yes, sign me out": the whole session ends and every
   * client in it gets a back-channel logout before the redirect is sent).
   */
  logout(browser: TestBrowser, params: { idTokenHint?: string | undefined; postLogoutRedirectUri?: string; state?: string }, opts?: { follow?: string[] }): Promise<Hop>;
  /** Ends the session `browser` holds here, as an administrator would, with back-channel logout; returns the sids notified. */
  endSession(browser: TestBrowser): Promise<string[]>;
  /** Ends every session of the account `sub` with back-channel logout; returns the sids notified. */
  endSessionsOf(sub: string): Promise<string[]>;
  /** Signs any JWT with the provider's own signing key (RS256, its kid; `header` adds or overrides): tests forge logout tokens that verify. */
  sign(payload: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** The provider's storage, in memory, listable (the built-in adapter cannot list an account's sessions). */
const memoryStorage = () => {
  const rows = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const key = (model: string, id: string) => `${model}\u0000${id}`;
  const live = (k: string): AdapterPayload | undefined => {
    const row = rows.get(k);
    if (row && row.expiresAt < Date.now()) rows.delete(k);
    return row && row.expiresAt >= Date.now() ? row.payload : undefined;
  };
  const adapter = (model: string): Adapter => ({
    upsert: async (id, payload, expiresIn) => void rows.set(key(model, id), { payload, expiresAt: Date.now() + expiresIn * 1000 }),
    find: async (id) => live(key(model, id)),
    findByUid: async (uid) => {
      for (const [k, row] of rows) if (k.startsWith(`${model}\u0000`) && row.payload.uid === uid) return live(k);
      return undefined;
    },
    findByUserCode: async (code) => {
      for (const [k, row] of rows) if (k.startsWith(`${model}\u0000`) && row.payload.userCode === code) return live(k);
      return undefined;
    },
    consume: async (id) => {
      const row = rows.get(key(model, id));
      if (row) row.payload.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id) => void rows.delete(key(model, id)),
    revokeByGrantId: async (grantId) => {
      for (const [k, row] of rows) if (row.payload.grantId === grantId) rows.delete(k);
    },
  });
  const sessionIdsOf = (sub: string): string[] =>
    [...rows].filter(([k, row]) => k.startsWith('Session\u0000') && row.payload.accountId === sub).map(([k]) => k.slice('Session\u0000'.length));
  return { adapter, sessionIdsOf };
};

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;

const loginPage = (uid: string, error?: string): string =>
  page(
    'Upstream sign-in',
    `<h1>Upstream sign-in</h1>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}` +
      `<form method="post" action="/interaction/${escapeHtml(uid)}/login">` +
      '<label>Login <input name="login" autocomplete="username"></label>' +
      '<label>Password <input type="password" name="password" autocomplete="current-password"></label>' +
      '<button type="submit">Sign in</button></form>',
  );

const readForm = async (req: IncomingMessage): Promise<URLSearchParams> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
};

/** Koa's context, as far as the page-rendering hooks below touch it. */
interface HtmlContext {
  type: string;
  body: string;
}

export const startUpstreamOp = async (opts: {
  client: UpstreamClient;
  users: UpstreamUser[];
  port?: number;
  /** false: no end_session_endpoint at all (an upstream that offers no RP-initiated logout). Default true. */
  rpInitiatedLogout?: boolean;
}): Promise<UpstreamOp> => {
  const { client, users } = opts;
  const storage = memoryStorage();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: `upstream-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };

  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        ...client,
        application_type: 'web',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        backchannel_logout_session_required: true,
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    adapter: storage.adapter,
    findAccount: async (_ctx: unknown, sub: string) => {
      const user = users.find((u) => u.sub === sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ ...user.claims, sub, email: user.email, email_verified: user.email_verified, name: user.name }) };
    },
    // acr, amr and auth_time ride on the openid scope: oidc-provider otherwise puts them in an ID
    // token only when the claims parameter asks for them (OIDC Core §5.5), and an upstream's
    // amr is what federation passes on.
    claims: { sid: null, iss: null, openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username', 'nickname'] },
    // The ID token carries the scope's claims too (OIDC Core §5.4 leaves it to the provider).
    conformIdTokenClaims: false,
    acrValues: [...new Set(users.flatMap((u) => (u.acr ? [u.acr] : [])))],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: opts.rpInitiatedLogout ?? true,
        // The confirmation page (RP-Initiated Logout §2 lets the OP ask); "logout=yes" ends the whole session.
        logoutSource: async (ctx: HtmlContext, form: string) => {
          ctx.type = 'html';
          ctx.body = page(
            'Sign out of the upstream?',
            `<h1>Sign out of the upstream?</h1>${form}` +
              '<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>' +
              '<button type="submit" form="op.logoutForm">No, stay signed in</button>',
          );
        },
        postLogoutSuccessSource: async (ctx: HtmlContext) => {
          ctx.type = 'html';
          ctx.body = page('Signed out', '<h1>Signed out of the upstream</h1>');
        },
      },
    },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    renderError: async (ctx: HtmlContext, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page('Upstream error', `<h1>Upstream error</h1><pre>${escapeHtml(JSON.stringify(out))}</pre>`);
    },
    // oidc-provider's own dispatcher refuses loopback addresses (SSRF protection); the
    // receivers of these tests live on 127.0.0.1, so outgoing requests use plain fetch.
    fetch: (url: string | URL, init: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _ssrfGuard, ...rest } = init;
      return fetch(url, rest);
    },
  });
  const backchannelErrors: unknown[] = [];
  provider.on('backchannel.error', (_ctx, err) => backchannelErrors.push(err));

  /** Consent is granted for whatever is missing: the tests are about sessions, not consent screens. */
  const grantConsent = async (details: InteractionDetails): Promise<Record<string, unknown>> => {
    const { params, session, prompt } = details;
    const accountId = session?.accountId;
    if (!accountId) throw new Error('consent without a session');
    const grant = (details.grantId && (await provider.Grant.find(details.grantId))) || new provider.Grant({ accountId, clientId: String(params.client_id) });
    const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    return { consent: details.grantId ? {} : { grantId } };
  };

  const interaction = async (req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const html = (status: number, body: string): void => void res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
    if (details.prompt.name === 'consent') {
      await provider.interactionFinished(req, res, await grantConsent(details), { mergeWithLastSubmission: true });
      return;
    }
    if (details.prompt.name !== 'login') return html(400, page('Unsupported', `unsupported prompt ${escapeHtml(details.prompt.name)}`));
    if (req.method !== 'POST' || action !== 'login') return html(200, loginPage(uid));
    const form = await readForm(req);
    const user = users.find((u) => u.login === form.get('login') && u.password === form.get('password'));
    if (!user) return html(200, loginPage(uid, 'Unknown login or wrong password.'));
    const login = { accountId: user.sub, ...(user.acr ? { acr: user.acr } : {}), ...(user.amr ? { amr: user.amr } : {}) };
    await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  };

  const oidcCallback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(\w+))?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match) return oidcCallback(req, res);
    interaction(req, res, match[1] as string, match[2]).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(err instanceof Error ? err.message : String(err));
    });
  });

  /** What end_session's confirmation does for the whole session: a logout token to each client in it, then the session is gone. */
  const endStored = async (session: SessionInstance): Promise<string[]> => {
    const sids: string[] = [];
    for (const clientId of Object.keys(session.authorizations ?? {})) {
      const registered = await provider.Client.find(clientId);
      const sid = session.sidFor(clientId);
      if (!registered?.backchannelLogoutUri || !session.accountId) continue;
      await registered.backchannelLogout(session.accountId, sid).catch((err: unknown) => backchannelErrors.push(err));
      if (sid) sids.push(sid);
    }
    await session.destroy();
    return sids;
  };

  const followHere = (opts?: { follow?: string[] }): string[] => [issuer, ...(opts?.follow ?? [])];

  return {
    issuer,
    provider,
    client,
    users,
    backchannelErrors,
    signIn: async (browser, user, at, signInOpts) => {
      const landed = typeof at === 'string' ? await browser.navigate(at, { follow: followHere(signInOpts) }) : at;
      if (!/name="login"/.test(landed.body)) throw new Error(`not the upstream's login form: ${landed.status} ${landed.location ?? landed.body.slice(0, 300)}`);
      const form = parseForm(landed.body);
      return browser.navigate(new URL(form.action, landed.url).toString(), {
        form: { ...form.fields, login: user.login, password: user.password },
        follow: followHere(signInOpts),
      });
    },
    logout: async (browser, params, logoutOpts) => {
      const query = endSessionQuery(params);
      const confirmation = await browser.request(`${issuer}/session/end?${query}`);
      if (confirmation.status !== 200) throw new Error(`no logout confirmation: ${confirmation.status} ${confirmation.body.slice(0, 300)}`);
      const form = parseForm(confirmation.body);
      return browser.navigate(new URL(form.action, issuer).toString(), { form: { ...form.fields, logout: 'yes' }, follow: followHere(logoutOpts) });
    },
    endSession: async (browser) => {
      const id = browser.cookiesOf(issuer).get('_session');
      const session = id ? await provider.Session.find(id) : undefined;
      if (!session) throw new Error('the browser holds no session at the upstream');
      return endStored(session);
    },
    endSessionsOf: async (sub) => {
      const sids: string[] = [];
      for (const id of storage.sessionIdsOf(sub)) {
        const session = await provider.Session.find(id);
        if (session) sids.push(...(await endStored(session)));
      }
      return sids;
    },
    sign: (payload, header = {}) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, ...header }).sign(privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};
