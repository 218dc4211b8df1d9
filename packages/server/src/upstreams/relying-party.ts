import * as oidc from 'openid-client';
import type { UpstreamConfig } from './config.js';
import { upstreamUris } from './paths.js';
import type { Upstreams } from './registry.js';
import { stateFor } from './state.js';

/**
 * Signoff as a relying party of an upstream provider (issue 15 §1), through openid-client: the
 * authorization code flow with PKCE (RFC 7636, S256), `state` and `nonce` (OIDC Core §3.1.2.1),
 * and the ID token validated by openid-client (OIDC Core §3.1.3.7: signature, iss, aud, exp,
 * nonce). Nothing here knows of HTTP requests: the route hands in the callback URL.
 */

/** What the interaction keeps of an upstream authorization request until its answer comes back. */
export interface UpstreamRequest {
  upstreamId: string;
  /** The interaction's id with a random part (the callback finds the interaction by it; compared whole). */
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who the upstream says signed in. */
export interface UpstreamIdentity {
  issuer: string;
  subject: string;
  /** Front-/Back-Channel Logout §2.1: the upstream session, when its ID token names one. */
  sid?: string | undefined;
  idToken: string;
  /** The ID token's claims, with the userinfo response's for what it lacks (OIDC Core §5.3.2: same sub). */
  claims: Record<string, unknown>;
}

export type UpstreamAnswer =
  | { kind: 'identity'; identity: UpstreamIdentity }
  /** The upstream answered with an error (OIDC Core §3.1.2.6), e.g. the user cancelled. */
  | { kind: 'refused'; error: string; description?: string | undefined }
  /** The answer could not be verified (state, nonce, signature, the code exchange) or the upstream is unreachable. */
  | { kind: 'invalid'; reason: string };

/**
 * Where the browser goes to sign in at the upstream; undefined while the upstream cannot be
 * discovered. `loginHint` and `maxAge` pass the downstream request's through (OIDC Core §3.1.2.1).
 */
export const upstreamAuthorizationUrl = async (
  upstreams: Upstreams,
  issuer: string,
  upstream: UpstreamConfig,
  interactionId: string,
  opts: { loginHint?: string | undefined; uiLocales?: string | undefined; forceLogin?: boolean | undefined } = {},
): Promise<{ url: string; request: UpstreamRequest } | undefined> => {
  const configuration = await upstreams.configuration(upstream.id);
  if (!configuration) return undefined;
  const request: UpstreamRequest = {
    upstreamId: upstream.id,
    state: stateFor(interactionId),
    nonce: oidc.randomNonce(),
    codeVerifier: oidc.randomPKCECodeVerifier(),
  };
  const params: Record<string, string> = {
    redirect_uri: upstreamUris(issuer, upstream.id).redirect_uri,
    scope: upstream.scope,
    state: request.state,
    nonce: request.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(request.codeVerifier),
    code_challenge_method: 'S256',
  };
  if (opts.loginHint !== undefined) params.login_hint = opts.loginHint;
  if (opts.uiLocales !== undefined) params.ui_locales = opts.uiLocales;
  // A downstream prompt=login or max_age the session does not meet: the upstream must not answer from its own session.
  if (opts.forceLogin) params.prompt = 'login';
  return { url: oidc.buildAuthorizationUrl(configuration, params).toString(), request };
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Redeems the upstream's answer at its callback: the authorization response is checked against
 * the request (state; RFC 9207 `iss` when the upstream sends it), the code exchanged with the
 * PKCE verifier, the ID token validated with the nonce; userinfo adds claims when the upstream has one.
 */
export const redeemUpstreamAnswer = async (upstreams: Upstreams, issuer: string, request: UpstreamRequest, callbackUrl: URL): Promise<UpstreamAnswer> => {
  const configuration = await upstreams.configuration(request.upstreamId);
  if (!configuration) return { kind: 'invalid', reason: 'the upstream cannot be reached' };
  const error = callbackUrl.searchParams.get('error');
  if (error !== null && callbackUrl.searchParams.get('state') === request.state) {
    return { kind: 'refused', error, description: callbackUrl.searchParams.get('error_description') ?? undefined };
  }
  // The token request's redirect_uri must be the authorization request's (RFC 6749 §4.1.3), whatever host the callback arrived on.
  const redirect = new URL(upstreamUris(issuer, request.upstreamId).redirect_uri);
  redirect.search = callbackUrl.search;
  try {
    const tokens = await oidc.authorizationCodeGrant(configuration, redirect, {
      pkceCodeVerifier: request.codeVerifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims || tokens.id_token === undefined) return { kind: 'invalid', reason: 'the upstream sent no ID token' };
    let claims: Record<string, unknown> = { ...idClaims };
    if (configuration.serverMetadata().userinfo_endpoint !== undefined) {
      const info = await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub).catch(() => undefined);
      if (isObject(info)) claims = { ...info, ...idClaims };
    }
    const sid = typeof idClaims.sid === 'string' && idClaims.sid.length <= 255 ? idClaims.sid : undefined;
    return { kind: 'identity', identity: { issuer: idClaims.iss, subject: idClaims.sub, sid, idToken: tokens.id_token, claims } };
  } catch (err) {
    if (err instanceof oidc.AuthorizationResponseError) return { kind: 'refused', error: err.error, description: err.error_description };
    return { kind: 'invalid', reason: err instanceof Error ? err.message : String(err) };
  }
};

/**
 * The upstream's end-session URL for a federated logout (RP-Initiated Logout §2): its
 * id_token_hint, Signoff's post-logout URI and a state; undefined when the upstream has no
 * end_session_endpoint or cannot be reached.
 */
export const upstreamLogoutUrl = async (upstreams: Upstreams, issuer: string, upstreamId: string, idToken: string | undefined, state: string): Promise<string | undefined> => {
  const configuration = await upstreams.configuration(upstreamId);
  if (!configuration?.serverMetadata().end_session_endpoint) return undefined;
  const params: Record<string, string> = { post_logout_redirect_uri: upstreamUris(issuer, upstreamId).post_logout_redirect_uri, state, client_id: configuration.clientMetadata().client_id };
  if (idToken !== undefined) params.id_token_hint = idToken;
  return oidc.buildEndSessionUrl(configuration, params).toString();
};
