import { SUPPORTED_SCOPES } from '../../claims/scopes.js';
import { isPublic } from '../../clients/metadata.js';
import type { Client, ClientStore } from '../../clients/store.js';
import { SignoffError, fail } from '../../errors.js';
import { type Params, one, required } from '../params.js';

export type ResponseMode = 'query' | 'form_post';
export const PROMPTS = ['none', 'login', 'consent', 'select_account'] as const;
export type Prompt = (typeof PROMPTS)[number];

/** A validated authorization request (OIDC Core §3.1.2.1), stored with its interaction. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  responseMode: ResponseMode;
  scope: string[];
  state?: string | undefined;
  nonce?: string | undefined;
  prompt: Prompt[];
  maxAge?: number | undefined;
  loginHint?: string | undefined;
  /** Signoff's `upstream` parameter (issue 15 §1, like Auth0's `connection`): sign in through this upstream without the sign-in page. */
  upstream?: string | undefined;
  /** The `sub` of a verified id_token_hint: the only account the request may be answered for. */
  hintedSub?: string | undefined;
  uiLocales?: string | undefined;
  codeChallenge?: string | undefined;
  /** `acr_values` (OIDC Core §3.1.2.1), or the values of an `acr` claim request (§5.5.1.1). */
  acrValues?: string[] | undefined;
  /** The `acr` claim was requested as essential: a lower acr must fail the request, not be returned. */
  acrEssential?: boolean | undefined;
}

/** Where an error may be sent once the client and redirect URI are known (RFC 6749 §4.1.2.1). */
export interface RedirectTarget {
  clientId: string;
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string | undefined;
  /** OIDC Core §3.1.2.1: the language of a form_post page (issue 13 §2). */
  uiLocales?: string | undefined;
}

/** An error to report by redirecting back to the client. */
export class RedirectableError extends SignoffError {
  constructor(
    readonly target: RedirectTarget,
    cause: SignoffError,
  ) {
    super(cause.code, cause.description, cause.debug);
  }
}

/**
 * Step 1: the client and the redirect URI. Until both are known and the URI matches a
 * registered one exactly, errors are shown to the user and never redirected (RFC 6749 §4.1.2.1,
 * §10.15; OIDC Core §3.1.2.1 "simple string comparison").
 */
export const resolveClient = async (params: Params, clients: ClientStore): Promise<{ client: Client; redirectUri: string }> => {
  let clientId: string | undefined;
  let redirectUri: string | undefined;
  try {
    clientId = one(params, 'client_id');
    redirectUri = one(params, 'redirect_uri');
  } catch (err) {
    throw new SignoffError('invalid_redirect', (err as SignoffError).description);
  }
  if (!clientId) fail('unknown_client', 'The request has no client_id.');
  const client = await clients.clientById(clientId);
  if (!client) fail('unknown_client', 'The application that sent you here is not registered with this provider.', `client_id=${clientId}`);
  if (!redirectUri) fail('invalid_redirect', 'The request has no redirect_uri.');
  if (!client.redirect_uris.includes(redirectUri)) {
    fail('invalid_redirect', 'The redirect_uri is not registered for this application.', `redirect_uri=${redirectUri}`);
  }
  return { client, redirectUri };
};

/** The response mode and state, read leniently: they decide how even an error is returned. */
export const redirectTarget = (params: Params, clientId: string, redirectUri: string): RedirectTarget => {
  const modes = params.response_mode;
  const responseMode: ResponseMode = modes?.length === 1 && modes[0] === 'form_post' ? 'form_post' : 'query';
  const states = params.state;
  return { clientId, redirectUri, responseMode, state: states?.length === 1 && states[0] ? states[0] : undefined };
};

/** Step 2: everything else; failures are RedirectableErrors. */
export const validateAuthorizationRequest = (params: Params, client: Client, redirectUri: string): AuthorizationRequest => {
  const target = redirectTarget(params, client.client_id, redirectUri);
  try {
    return parse(params, client, redirectUri);
  } catch (err) {
    if (err instanceof SignoffError) throw new RedirectableError(target, err);
    throw err;
  }
};

const parse = (params: Params, client: Client, redirectUri: string): AuthorizationRequest => {
  // OIDC Core §6: request objects are optional; say so rather than ignoring them silently.
  if (one(params, 'request') !== undefined) fail('request_not_supported', 'Request objects are not supported.');
  if (one(params, 'request_uri') !== undefined) fail('request_uri_not_supported', 'request_uri is not supported.');
  const state = one(params, 'state');
  const responseType = required(params, 'response_type');
  if (responseType !== 'code') fail('unsupported_response_type', 'Only response_type=code is supported.');
  if (!client.response_types.includes('code')) fail('unauthorized_client', 'This client may not use response_type=code.');

  const responseMode = one(params, 'response_mode') ?? 'query';
  if (responseMode !== 'query' && responseMode !== 'form_post') fail('invalid_request', 'response_mode must be query or form_post.');

  const scope = parseScope(required(params, 'scope'), client);

  const prompt = (one(params, 'prompt') ?? '').split(' ').filter(Boolean);
  for (const p of prompt) if (!PROMPTS.includes(p as Prompt)) fail('invalid_request', `Unsupported prompt value "${p}".`);
  // OIDC Core §3.1.2.1: none with any other value is an error.
  if (prompt.includes('none') && prompt.length > 1) fail('invalid_request', 'prompt=none must not be combined with other values.');

  const maxAgeRaw = one(params, 'max_age');
  if (maxAgeRaw !== undefined && !/^\d{1,10}$/.test(maxAgeRaw)) fail('invalid_request', 'max_age must be a non-negative integer.');

  const codeChallenge = one(params, 'code_challenge');
  const method = one(params, 'code_challenge_method');
  if (codeChallenge !== undefined) {
    // RFC 7636 §4.2-4.3; only S256 is offered (plain would let an observer of the request redeem the code).
    if ((method ?? 'plain') !== 'S256') fail('invalid_request', 'code_challenge_method must be S256.');
    if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) fail('invalid_request', 'code_challenge must be a base64url SHA-256 value.');
  } else if (method !== undefined) {
    fail('invalid_request', 'code_challenge_method given without code_challenge.');
  } else if (isPublic(client) || client.require_pkce) {
    fail('invalid_request', 'This client must use PKCE (code_challenge with S256).');
  }

  return {
    clientId: client.client_id,
    redirectUri,
    responseMode,
    scope,
    state,
    nonce: one(params, 'nonce'),
    prompt: prompt as Prompt[],
    maxAge: maxAgeRaw === undefined ? undefined : Number(maxAgeRaw),
    loginHint: one(params, 'login_hint'),
    upstream: upstreamParam(params),
    uiLocales: one(params, 'ui_locales'),
    codeChallenge,
    ...acrRequest(params),
  };
};

/** An upstream id is a path segment (upstreams/config.ts); whether it is configured is the route's check. */
const upstreamParam = (params: Params): string | undefined => {
  const id = one(params, 'upstream');
  if (id !== undefined && !/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/.test(id)) fail('invalid_request', 'upstream must name a configured sign-in provider.');
  return id;
};

/**
 * The authentication context asked for: an `acr` member of the `claims` parameter's id_token
 * (OIDC Core §5.5.1.1: `{"essential": true, "values": [...]}` or `"value"`) wins over `acr_values`
 * (§3.1.2.1, voluntary). Other claim requests are accepted and answered by scope as before.
 */
const acrRequest = (params: Params): Pick<AuthorizationRequest, 'acrValues' | 'acrEssential'> => {
  const claims = one(params, 'claims');
  if (claims !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(claims);
    } catch {
      fail('invalid_request', 'claims must be a JSON object (OIDC Core §5.5).');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('invalid_request', 'claims must be a JSON object (OIDC Core §5.5).');
    const idToken = Object.hasOwn(parsed, 'id_token') ? (parsed as { id_token: unknown }).id_token : undefined;
    const acr = typeof idToken === 'object' && idToken !== null && Object.hasOwn(idToken, 'acr') ? (idToken as { acr: unknown }).acr : undefined;
    if (typeof acr === 'object' && acr !== null) {
      const request = acr as { essential?: unknown; value?: unknown; values?: unknown };
      const values = typeof request.value === 'string' ? [request.value] : Array.isArray(request.values) ? request.values.filter((v): v is string => typeof v === 'string') : [];
      if (values.length > 0) return { acrValues: values, acrEssential: request.essential === true };
    }
  }
  const acrValues = one(params, 'acr_values')?.split(' ').filter(Boolean);
  return acrValues && acrValues.length > 0 ? { acrValues } : {};
};

const parseScope = (raw: string, client: Client): string[] => {
  const requested = [...new Set(raw.split(' ').filter(Boolean))];
  if (!requested.includes('openid')) fail('invalid_scope', 'The scope must include "openid".');
  const allowed = client.scope.split(' ');
  for (const s of requested) {
    if (!SUPPORTED_SCOPES.includes(s)) fail('invalid_scope', `Unsupported scope "${s}".`);
    if (!allowed.includes(s)) fail('invalid_scope', `This client may not request scope "${s}".`);
  }
  // OIDC Core §11: offline_access without refresh-token use is meaningless; drop it silently.
  return client.grant_types.includes('refresh_token') ? requested : requested.filter((s) => s !== 'offline_access');
};
