/**
 * Live state for tests that throw hostile input at every endpoint (issue 10 §1): a signed-in
 * browser, tokens of a real client, an interaction waiting at the sign-in page and a logout
 * waiting for confirmation — so that hostile parameters reach the code behind the checks for
 * them, not only the first "missing parameter" error.
 */
import { createHash, randomBytes } from 'node:crypto';
import { TestBrowser, parseForm } from './browser.js';
import { CLIENTS, USERS } from './provider.js';

export interface PendingForm {
  /** The interaction id in the form's action. */
  id: string;
  csrfToken: string;
  /** The cookies binding it to its browser (`name=value`). */
  cookies: string[];
}

export interface Primed {
  /** Cookies of a browser with Alice's live SSO session (`name=value`). */
  sessionCookies: string[];
  accessToken: string;
  refreshToken: string;
  idToken: string;
  /** An unused authorization code for `web`, without PKCE. */
  code: string;
  /** An interaction at the sign-in step (started without an SSO session). */
  interaction: PendingForm;
  /** A logout of Alice's session waiting for its confirmation. */
  logout: PendingForm;
}

export const WEB_BASIC = `Basic ${Buffer.from(`${CLIENTS.web.client_id}:${CLIENTS.web.client_secret}`).toString('base64')}`;

const cookiesOf = (b: TestBrowser, filter: (name: string) => boolean = () => true): string[] =>
  [...b.cookies].filter(([k]) => filter(k)).map(([k, v]) => `${k}=${v}`);

export const authorizeUrl = (issuer: string, extra: Record<string, string> = {}): string =>
  `${issuer}/authorize?${new URLSearchParams({
    client_id: CLIENTS.web.client_id,
    redirect_uri: CLIENTS.web.redirect_uri,
    response_type: 'code',
    scope: 'openid profile email offline_access',
    state: randomBytes(8).toString('hex'),
    ...extra,
  }).toString()}`;

const codeFrom = (location: string | undefined): string => {
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`no code in ${location}`);
  return code;
};

/** Signs Alice in (over HTTP, as a browser does) and opens the pending forms. */
export const prime = async (issuer: string): Promise<Primed> => {
  const alice = new TestBrowser(issuer);
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const signedIn = await alice.signIn(authorizeUrl(issuer, { code_challenge: challenge, code_challenge_method: 'S256' }), USERS.alice);
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: WEB_BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: codeFrom(signedIn.location), redirect_uri: CLIENTS.web.redirect_uri, code_verifier: verifier }),
  });
  const tokens = (await res.json()) as Record<string, string>;
  if (!tokens.access_token || !tokens.refresh_token || !tokens.id_token) throw new Error(`token response: ${JSON.stringify(tokens)}`);
  const code = codeFrom((await alice.request(authorizeUrl(issuer))).location);
  const sessionCookies = cookiesOf(alice, (k) => !k.includes('signoff-ia-'));

  const stranger = new TestBrowser(issuer);
  const login = await stranger.navigate(authorizeUrl(issuer));
  const loginForm = parseForm(login.body);
  const interaction: PendingForm = {
    id: /\/interaction\/([^/]+)\/login$/.exec(loginForm.action)?.[1] ?? '',
    csrfToken: loginForm.fields.csrf_token ?? '',
    cookies: cookiesOf(stranger),
  };

  const confirm = await alice.request(`${issuer}/logout?client_id=${CLIENTS.web.client_id}`);
  const logoutForm = parseForm(confirm.body);
  const logout: PendingForm = {
    id: /\/logout\/([^/]+)\/confirm$/.exec(logoutForm.action)?.[1] ?? '',
    csrfToken: logoutForm.fields.csrf_token ?? '',
    cookies: cookiesOf(alice, (k) => k.includes('signoff-ia-')),
  };
  if (!interaction.id || !interaction.csrfToken || !logout.id || !logout.csrfToken) throw new Error('priming found no pending forms');
  return { sessionCookies, accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token, code, interaction, logout };
};

/** The path of a route with its parameters filled: the primed interaction or logout when it names one. */
export const fillPath = (url: string, primed?: Primed): string => {
  if (primed && url.startsWith('/interaction/:id')) return url.replace(':id', primed.interaction.id);
  if (primed && url.startsWith('/logout/:id')) return url.replace(':id', primed.logout.id);
  return url.replace(/:[A-Za-z_]+/g, 'no-such-id');
};

/** What a well-formed request to a route carries, so that an extra parameter is checked deep down. */
export interface Base {
  params: [string, string][];
  headers: Record<string, string>;
  cookies: string[];
}

/**
 * Valid parameters, credentials and cookies for the routes that need them; a route not named
 * here gets the live session cookies only (and is still covered, just less deeply).
 */
export const baseFor = (url: string, primed: Primed): Base => {
  const cookies = [...primed.sessionCookies];
  if (url.startsWith('/interaction/:id')) {
    return { params: [['csrf_token', primed.interaction.csrfToken]], headers: {}, cookies: [...cookies, ...primed.interaction.cookies] };
  }
  if (url.startsWith('/logout/:id')) {
    return { params: [['csrf_token', primed.logout.csrfToken]], headers: {}, cookies: [...cookies, ...primed.logout.cookies] };
  }
  switch (url) {
    case '/authorize':
      return {
        params: [['client_id', CLIENTS.web.client_id], ['redirect_uri', CLIENTS.web.redirect_uri], ['response_type', 'code'], ['scope', 'openid'], ['state', 'st']],
        headers: {},
        cookies,
      };
    case '/logout':
      return { params: [['client_id', CLIENTS.web.client_id], ['post_logout_redirect_uri', 'http://127.0.0.1:5001/'], ['state', 'st']], headers: {}, cookies };
    case '/token':
      return { params: [['grant_type', 'refresh_token'], ['refresh_token', 'not-a-live-refresh-token']], headers: { authorization: WEB_BASIC }, cookies };
    case '/revoke':
      return { params: [['token', 'not-a-live-token']], headers: { authorization: WEB_BASIC }, cookies };
    case '/introspect':
      return { params: [['token', primed.accessToken]], headers: { authorization: WEB_BASIC }, cookies };
    case '/userinfo':
      return { params: [], headers: { authorization: `Bearer ${primed.accessToken}` }, cookies };
    default:
      return { params: [], headers: {}, cookies };
  }
};
