import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { Browser, codeFrom } from './browser.js';
import { secretOf } from './setup.js';

/** One PKCE pair for every request: both providers check S256 (RFC 7636 §4.6) the same way. */
export const CODE_VERIFIER = 'signoff-bench-code-verifier-0123456789-abcdefghijkl';
const CODE_CHALLENGE = createHash('sha256').update(CODE_VERIFIER).digest('base64url');

export const basicAuth = (clientId) => `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secretOf(clientId))}`).toString('base64')}`;

/**
 * What differs between the two providers — paths, the scope that yields a JWT access token, the
 * sign-in form's field names, and how RP-initiated logout is confirmed — behind one interface,
 * so that every scenario is written once.
 */
const driver = ({ name, issuer, pid, authorizePath, scope, loginFields, logout }) => {
  const redirectUri = (receivers) => `${receivers}/cb`;
  const d = {
    name,
    issuer,
    pid,
    /** The authorization request of a client; `prompt: 'none'` for the SSO case (P1). */
    authorizePath: (clientId, receivers, extra = {}) =>
      `${authorizePath}?${new URLSearchParams({
        client_id: clientId,
        redirect_uri: redirectUri(receivers),
        response_type: 'code',
        scope,
        state: 'bench-state',
        code_challenge: CODE_CHALLENGE,
        code_challenge_method: 'S256',
        ...extra,
      })}`,
    tokenHeaders: (clientId) => ({ authorization: basicAuth(clientId), 'content-type': 'application/x-www-form-urlencoded' }),
    codeBody: (code, receivers) =>
      new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(receivers), code_verifier: CODE_VERIFIER }).toString(),
    refreshBody: (refreshToken) => new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),

    /** A full interactive sign-in on a fresh browser; returns the browser (SSO cookie) and the code. */
    signIn: async (user, clientId, receivers) => {
      const browser = new Browser(issuer);
      let hop = await browser.navigate(d.authorizePath(clientId, receivers));
      if (!/type="password"/.test(hop.body)) throw new Error(`${name}: no sign-in form at ${hop.url} (${hop.status})\n${hop.body.slice(0, 300)}`);
      hop = await browser.submit(hop, loginFields(user));
      return { browser, code: codeFrom(hop) };
    },
    /** Another client's authorization in the same browser, silently (SSO). */
    authorizeSilently: async (browser, clientId, receivers) =>
      codeFrom(await browser.navigate(d.authorizePath(clientId, receivers, { prompt: 'none' }))),

    /** The token endpoint; every token in the answer is decoded to check it is there. */
    token: async (clientId, body) => {
      const res = await fetch(`${issuer}/token`, { method: 'POST', headers: d.tokenHeaders(clientId), body });
      const json = await res.json();
      if (res.status !== 200) throw new Error(`${name}: token endpoint for ${clientId}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    exchange: (clientId, code, receivers) => d.token(clientId, d.codeBody(code, receivers)),

    /**
     * RP-initiated logout of the browser's session with an ID token hint. Returns the time in ms
     * of the request that ends the session (what the user waits for).
     */
    logout,
  };
  return d;
};

/** A browser signed in to `clientIds` (the first one interactively); returns it and an ID token. */
export const signedInTo = async (d, user, clientIds, receivers) => {
  const [first, ...rest] = clientIds;
  const { browser, code } = await d.signIn(user, first, receivers);
  const tokens = await d.exchange(first, code, receivers);
  for (const clientId of rest) await d.authorizeSilently(browser, clientId, receivers);
  return { browser, idToken: tokens.id_token, sid: decodeJwt(tokens.id_token).sid, sub: decodeJwt(tokens.id_token).sub };
};

/** A request's duration, and when it started on the clock the receivers use. */
const timed = async (fn) => {
  const t0 = performance.now();
  const hop = await fn();
  return { ms: performance.now() - t0, hop, startedAt: performance.timeOrigin + t0 };
};

/** Signoff; `name` is the system's name in the back-channel URIs ('signoff' on SQLite, 'postgres', 'pgpair'). */
export const signoffDriver = ({ issuer, pid, name = 'signoff' }) =>
  driver({
    name,
    issuer,
    pid,
    authorizePath: '/authorize',
    scope: 'openid profile email',
    loginFields: (u) => ({ username: u.username, password: u.password }),
    // The hint names the browser's live session: Signoff ends it at once (no confirmation page).
    logout: async (browser, idToken) => {
      const t = await timed(() => browser.request(`/logout?${new URLSearchParams({ id_token_hint: idToken })}`));
      if (t.hop.status >= 400 || /name="logout_scope"/.test(t.hop.body)) throw new Error(`${name}: logout did not end the session (${t.hop.status})`);
      return t;
    },
  });

export const peerDriver = ({ issuer, pid }) =>
  driver({
    name: 'peer',
    issuer,
    pid,
    authorizePath: '/auth',
    // `api` is the default resource's scope: it makes the access token a JWT, as Signoff's is.
    scope: 'openid profile email api',
    loginFields: (u) => ({ login: u.username, password: u.password }),
    // oidc-provider always asks the user to confirm (a form with an xsrf token); the confirmation
    // POST ends the session and sends the back-channel notifications: that request is timed.
    logout: async (browser, idToken) => {
      const page = await browser.request(`/session/end?${new URLSearchParams({ id_token_hint: idToken })}`);
      const t = await timed(() => browser.submit(page, { logout: 'yes' }, { follow: false }));
      if (t.hop.status >= 400) throw new Error(`peer: logout confirmation failed (${t.hop.status})`);
      return t;
    },
  });
