/**
 * Relying-party side helpers for the black-box OIDC tests: every step a client library can do is
 * done by openid-client v6 (discovery, authorization URL, code grant, refresh, userinfo,
 * revocation, introspection); the browser part is the shared TestBrowser.
 */
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { type Hop, TestBrowser } from './browser.js';
import { CLIENTS } from './provider.js';

export type ClientKey = keyof typeof CLIENTS;
export type User = { username: string; password: string; remember?: boolean };

/** How each test client authenticates at the token endpoint, as it is registered. */
export const clientAuthFor = (key: ClientKey): oidc.ClientAuth => {
  const c = CLIENTS[key];
  if (key === 'spa' || !('client_secret' in c)) return oidc.None();
  return key === 'post' ? oidc.ClientSecretPost(c.client_secret) : oidc.ClientSecretBasic(c.client_secret);
};

/** openid-client discovery for one of the test clients (the issuer is plain http on loopback). */
export const discover = async (issuer: string, key: ClientKey): Promise<oidc.Configuration> => {
  const c = CLIENTS[key];
  const metadata: Partial<oidc.ClientMetadata> = { client_id: c.client_id };
  if ('client_secret' in c) metadata.client_secret = c.client_secret;
  if (key === 'post') metadata.id_token_signed_response_alg = 'ES256';
  return oidc.discovery(new URL(issuer), c.client_id, metadata, clientAuthFor(key), { execute: [oidc.allowInsecureRequests] });
};

export interface Started {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** Builds an authorization request with fresh state, nonce and an S256 PKCE challenge. */
export const startAuthorization = async (
  config: oidc.Configuration,
  key: ClientKey,
  extra: Record<string, string> = {},
): Promise<Started> => {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENTS[key].redirect_uri,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
};

export type Tokens = Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;

/** The callback URL the browser was sent to; fails the test when the provider did not redirect there. */
export const callbackOf = (hop: Hop, key: ClientKey): URL => {
  assert.ok(
    hop.location?.startsWith(CLIENTS[key].redirect_uri),
    `expected a redirect to ${CLIENTS[key].redirect_uri}, got ${hop.status} ${hop.location ?? ''}\n${hop.body.slice(0, 300)}`,
  );
  return new URL(hop.location as string);
};

/**
 * One full authorization code flow: the browser signs in (when asked) and the code is redeemed by
 * openid-client with the PKCE verifier, state and nonce checks.
 */
export const codeFlow = async (
  config: oidc.Configuration,
  key: ClientKey,
  browser: TestBrowser,
  opts: { user?: User; extra?: Record<string, string>; consent?: 'allow' | 'deny' } = {},
): Promise<{ tokens: Tokens; started: Started; hop: Hop; callback: URL }> => {
  const started = await startAuthorization(config, key, opts.extra);
  const hop = await browser.signIn(started.url.toString(), opts.user, opts.consent ? { consent: opts.consent } : {});
  const callback = callbackOf(hop, key);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
    idTokenExpected: true,
  });
  return { tokens, started, hop, callback };
};

/** Runs `fn`, which must reject with an OAuth error response whose `error` is `code`. */
export const rejectsWithOAuthError = async (fn: () => Promise<unknown>, code: string): Promise<unknown> => {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected an OAuth error "${code}", but the call succeeded`);
  if (caught instanceof oidc.ResponseBodyError || caught instanceof oidc.AuthorizationResponseError) {
    assert.equal(caught.error, code, `expected error "${code}", got "${caught.error}": ${caught.error_description ?? ''}`);
    return caught;
  }
  throw caught;
};

/**
 * An authorization error response (RFC 6749 §4.1.2.1, RFC 9207): `error` with the request's
 * `state` and the issuer's `iss`, no code; openid-client checks iss and state, then surfaces it.
 */
export const assertErrorResponse = async (config: oidc.Configuration, callback: URL, started: Started, issuer: string, error: string): Promise<void> => {
  assert.equal(callback.searchParams.get('error'), error);
  assert.equal(callback.searchParams.get('state'), started.state);
  assert.equal(callback.searchParams.get('iss'), issuer);
  assert.equal(callback.searchParams.get('code'), null);
  await rejectsWithOAuthError(() => oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state }), error);
};

/** A form-encoded POST, without following redirects. */
export const postForm = (url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });

export const basicAuth = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export { TestBrowser };

/** An end-session request's query (RP-Initiated Logout 1.0 §2), with the parameters given. */
export const endSessionQuery = (params: { idTokenHint?: string | undefined; postLogoutRedirectUri?: string | undefined; state?: string | undefined }): URLSearchParams => {
  const query = new URLSearchParams();
  if (params.idTokenHint) query.set('id_token_hint', params.idTokenHint);
  if (params.postLogoutRedirectUri) query.set('post_logout_redirect_uri', params.postLogoutRedirectUri);
  if (params.state) query.set('state', params.state);
  return query;
};
