import type { Client } from '../../clients/metadata.js';
import { fail } from '../../errors.js';
import type { Account, AccountStore, GrantStore, Session } from '../../store/types.js';
import type { AuthorizationRequest } from './request.js';

export type Decision =
  | { kind: 'issue'; session: Session; account: Account }
  | { kind: 'consent'; session: Session; account: Account }
  | { kind: 'login'; loginHint?: string | undefined };

const matchesHint = (account: Account, hint: string): boolean => account.username === hint || account.id === hint;

/**
 * Decides what an authorization request needs, given the live sessions of the browser
 * (OIDC Core §3.1.2.3): sign-in when there is no usable session, `prompt=login` asks for one,
 * or `max_age` has passed (`max_age=0` equals `prompt=login`, §3.1.2.1); consent when the client
 * requires it and it is not yet given.
 * With `prompt=none` anything needing the user is an error instead (§3.1.2.6).
 */
export const decide = async (
  deps: { accounts: AccountStore; grants: GrantStore },
  request: AuthorizationRequest,
  client: Client,
  sessions: readonly Session[],
  now: number,
): Promise<Decision> => {
  const silent = request.prompt.includes('none');
  let chosen: { session: Session; account: Account } | undefined;
  for (const session of sessions) {
    const account = await deps.accounts.accountById(session.accountId);
    if (!account || account.disabled) continue;
    if (request.loginHint !== undefined && !matchesHint(account, request.loginHint)) continue;
    chosen = { session, account };
    break;
  }
  const needsLogin =
    !chosen ||
    request.prompt.includes('login') ||
    (request.maxAge !== undefined && (request.maxAge === 0 || now - chosen.session.authTime > request.maxAge));
  if (needsLogin || !chosen) {
    if (silent) fail('login_required', 'The user must sign in.');
    return { kind: 'login', loginHint: request.loginHint };
  }
  if (await needsConsent(deps.grants, request, client, chosen.account)) {
    if (silent) fail('consent_required', 'The user must approve this application.');
    return { kind: 'consent', ...chosen };
  }
  return { kind: 'issue', ...chosen };
};

/** Consent is asked only of clients configured with require_consent, or with prompt=consent. */
export const needsConsent = async (
  grants: GrantStore,
  request: AuthorizationRequest,
  client: Client,
  account: Account,
): Promise<boolean> => {
  if (request.prompt.includes('consent')) return true;
  if (!client.require_consent) return false;
  const grant = await grants.grantFor(account.id, client.client_id);
  return !grant || !request.scope.every((s) => grant.scope.includes(s));
};
