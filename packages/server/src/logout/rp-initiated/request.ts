import type { Client, ClientStore } from '../../clients/store.js';
import { fail } from '../../errors.js';
import { type Params, one } from '../../oauth/params.js';
import { type IdTokenHint, type IdTokenHintDeps, verifyIdTokenHint } from '../../tokens/id-token-hint.js';

/** A validated end-session request (RP-Initiated Logout 1.0 §2). */
export interface LogoutRequest {
  /** The client named by the hint's audience or by client_id, when either was given. */
  client?: Client | undefined;
  hint?: IdTokenHint | undefined;
  logoutHint?: string | undefined;
  /** Set only when it exactly matches one registered for `client` (§3). */
  postLogoutRedirectUri?: string | undefined;
  state?: string | undefined;
  /** OIDC Core §3.1.2.1 (RP-Initiated Logout §2): the language of the pages that follow. */
  uiLocales?: string | undefined;
  /** Auth0's `federated` (issue 15 §2): also sign out at the upstream the session came through. Its presence asks; any value. */
  federated: boolean;
}

/**
 * A flag parameter asked by its presence alone, as Auth0's `?federated` is (no value at all, which
 * an empty value cannot be told apart from); it may still not be repeated (RFC 6749 §3.1).
 */
const isPresent = (params: Params, name: string): boolean => {
  if ((params[name]?.length ?? 0) > 1) fail('invalid_request', `parameter "${name}" must not be repeated`);
  return params[name] !== undefined;
};

export interface LogoutRequestDeps extends IdTokenHintDeps {
  clients: Pick<ClientStore, 'clientById'>;
}

/**
 * Validates the parameters (§2): a hint that verifies, a client_id that agrees with it (§2
 * "MUST verify that the RP identified by client_id is the same"), and a post_logout_redirect_uri
 * that exactly matches one registered for the client so identified (§3; Security Considerations
 * §6: never an open redirect). Any failure is shown to the user, never redirected.
 * `ui_locales` chooses the pages' language; an unsupported locale is not an error.
 */
export const parseLogoutRequest = async (deps: LogoutRequestDeps, params: Params): Promise<LogoutRequest> => {
  const rawHint = one(params, 'id_token_hint');
  const clientIdParam = one(params, 'client_id');
  const redirect = one(params, 'post_logout_redirect_uri');
  const state = one(params, 'state');
  const logoutHint = one(params, 'logout_hint');
  const uiLocales = one(params, 'ui_locales');
  const hint = rawHint === undefined ? undefined : await verifyIdTokenHint(deps, rawHint);
  if (hint && clientIdParam !== undefined && clientIdParam !== hint.clientId) {
    fail('invalid_request', 'client_id does not match the client of the id_token_hint.');
  }
  const clientId = hint?.clientId ?? clientIdParam;
  const client = clientId === undefined ? undefined : await deps.clients.clientById(clientId);
  if (clientId !== undefined && !client) fail('unknown_client', 'The application that sent you here is not registered with this provider.');
  if (redirect !== undefined) {
    if (!client) fail('invalid_request', 'post_logout_redirect_uri needs an id_token_hint or a client_id to be checked against.');
    if (!client.post_logout_redirect_uris.includes(redirect)) {
      fail('invalid_request', 'The post_logout_redirect_uri is not registered for this application.', `post_logout_redirect_uri=${redirect}`);
    }
  }
  return { client, hint, logoutHint, postLogoutRedirectUri: redirect, state, uiLocales, federated: isPresent(params, 'federated') };
};
