import type { Account, AccountStore } from '../../accounts/store.js';
import type { Client } from '../../clients/store.js';
import { fail } from '../../errors.js';
import type { Participant, Session, SessionStore } from '../../sessions/store.js';
import type { GrantStore } from '../grants.js';
import { type VerifiedFactor } from '../../sessions/factors.js';
import { type AcrLevel, type AcrValue, countingFactors, requirementOf } from './acr.js';
import type { AuthorizationRequest } from './request.js';
import type { FactorChecks } from './steps/deps.js';
import { planFor } from './steps/plan.js';

/** An account signed in on this browser, with its session. */
export interface SignedIn {
  session: Session;
  account: Account;
}

export type Decision =
  /** `participant`: the client's in this session, as read for the decision (none: new to it). */
  | ({ kind: 'issue'; participant?: Participant | undefined } & SignedIn)
  | ({ kind: 'consent' } & SignedIn)
  /** The session's factors fall short of what the request asks: one more, then the same session (issue 14 §3). */
  | ({ kind: 'second-factor'; target: AcrLevel; factors: VerifiedFactor[] } & SignedIn)
  | { kind: 'choose' }
  | { kind: 'login'; loginHint?: string | undefined };

type DecideDeps = {
  accounts: AccountStore;
  grants: GrantStore;
  sessions: Pick<SessionStore, 'participantsOf'>;
  acrValues: readonly AcrValue[];
  factors: Pick<FactorChecks, 'enrolled'>;
};

const matchesHint = (account: Account, hint: string): boolean => account.username === hint || account.id === hint;

/**
 * The accounts signed in on the browser (live sessions of enabled accounts), newest first.
 * `known`: accounts already read with the sessions (ResolvedBrowser.accounts); the others are read.
 */
export const signedInAccounts = async (accounts: AccountStore, sessions: readonly Session[], known: readonly Account[] = []): Promise<SignedIn[]> => {
  const found = await Promise.all(
    sessions.map(async (session) => ({ session, account: known.find((a) => a.id === session.accountId) ?? (await accounts.accountById(session.accountId)) })),
  );
  return found.filter((s): s is SignedIn => s.account !== undefined && !s.account.disabled);
};

/**
 * The signed-in accounts a request may be answered for: with an id_token_hint, only the account
 * it names (OIDC Core §3.1.2.1), never another account that happens to be signed in here.
 */
export const eligibleFor = (request: AuthorizationRequest, signedIn: readonly SignedIn[]): SignedIn[] =>
  request.hintedSub === undefined ? [...signedIn] : signedIn.filter((s) => s.account.id === request.hintedSub);

/**
 * Step one of an authorization request (OIDC Core §3.1.2.3): which account it is for. An
 * `id_token_hint` limits it to the account it names (§3.1.2.1); a `login_hint` picks among the
 * accounts of this browser; `prompt=select_account`, or several accounts and no hint, asks the
 * user to choose; no matching account asks for a sign-in (as the hinted account, when there is
 * one). With `prompt=none` anything needing the user is an error instead (§3.1.2.6).
 */
export const decide = async (
  deps: DecideDeps,
  request: AuthorizationRequest,
  client: Client,
  signedIn: readonly SignedIn[],
  now: number,
): Promise<Decision> => {
  const silent = request.prompt.includes('none');
  const eligible = eligibleFor(request, signedIn);
  if (request.prompt.includes('select_account') && eligible.length > 0) return { kind: 'choose' };
  const hint = request.loginHint;
  const candidates = hint === undefined ? eligible : eligible.filter((s) => matchesHint(s.account, hint));
  const [only] = candidates;
  if (!only) {
    // §3.1.2.1: "If the End-User identified by the ID Token is [not] logged in … SHOULD return
    // an error, such as login_required" — even when another account is signed in here.
    if (silent) fail('login_required', request.hintedSub === undefined ? 'The user must sign in.' : 'The user named by id_token_hint is not signed in.');
    const hinted = request.hintedSub === undefined ? undefined : await deps.accounts.accountById(request.hintedSub);
    return { kind: 'login', loginHint: hinted?.username ?? hint };
  }
  if (candidates.length > 1) {
    if (silent) fail('account_selection_required', 'Several accounts are signed in; the user must choose one.');
    return { kind: 'choose' };
  }
  return decideFor(deps, request, client, only, now);
};

/**
 * Step two, once the account is known: a fresh sign-in when `prompt=login` or `max_age` asks for
 * it (§3.1.2.1; `max_age=0` equals `prompt=login`) or the client's own limits are exceeded — its
 * maximum authentication age, or its maximum idle time in this session — without ending the SSO
 * session for other clients; a further factor when the session's fall short of the acr asked
 * for (issue 14 §3); then consent when needed; else a code.
 */
export const decideFor = async (deps: DecideDeps, request: AuthorizationRequest, client: Client, chosen: SignedIn, now: number): Promise<Decision> => {
  const silent = request.prompt.includes('none');
  const participant = (await deps.sessions.participantsOf(chosen.session.id)).find((p) => p.clientId === client.client_id);
  if (request.prompt.includes('login') || authTooOld(request, client, chosen.session, now) || clientIdle(client, participant, now)) {
    if (silent) fail('login_required', 'The user must sign in again.');
    return { kind: 'login', loginHint: chosen.account.username };
  }
  const requirement = requirementOf(deps.acrValues, request, client);
  if (requirement.want !== undefined || requirement.impossible !== undefined) {
    const plan = planFor(requirement, chosen.session.factors, await deps.factors.enrolled(chosen.account.id), now);
    // OIDC Core §5.5.1.1: an essential acr that cannot be met fails, never a silent lower acr.
    if (plan.kind === 'denied') fail('access_denied', plan.description);
    if (plan.kind === 'ask') {
      if (silent) fail('interaction_required', 'The application asks for a stronger sign-in than this session has.');
      return { kind: 'second-factor', ...chosen, target: plan.target, factors: countingFactors(chosen.session.factors, requirement.maxFactorAge, now) };
    }
  }
  if (await needsConsent(deps.grants, request, client, chosen.account)) {
    if (silent) fail('consent_required', 'The user must approve this application.');
    return { kind: 'consent', ...chosen };
  }
  return { kind: 'issue', ...chosen, participant };
};

/** The request's max_age (or the client's default_max_age), capped by the client's max_auth_age. */
const authTooOld = (request: AuthorizationRequest, client: Client, session: Session, now: number): boolean => {
  const limits = [request.maxAge ?? client.default_max_age, client.max_auth_age].filter((n): n is number => n !== undefined);
  if (limits.length === 0) return false;
  const maxAge = Math.min(...limits);
  return maxAge === 0 || now - session.authTime > maxAge;
};

const clientIdle = (client: Client, participant: Participant | undefined, now: number): boolean =>
  client.max_idle !== undefined && participant !== undefined && now - participant.lastSeenAt > client.max_idle;

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
