import { nowSeconds } from '../../../clock.js';
import { fail } from '../../../errors.js';
import { touchSession } from '../../../sessions/browser.js';
import { signIn } from '../../../sessions/sign-in.js';
import { lifetimesFor } from '../../../sessions/policy.js';
import type { Participant, Session } from '../../../sessions/store.js';
import type { Client } from '../../../clients/store.js';
import { amrOf } from '../../../sessions/factors.js';
import { acrOf, countingFactors, requirementOf } from '../acr.js';
import { authorizationAtSignIn, issueAuthorizationCode } from '../complete.js';
import { needsConsent } from '../decide.js';
import { type AuthorizationInteraction, type PendingSignIn, storedStep } from '../interaction.js';
import type { AuthorizationRequest } from '../request.js';
import type { Seen, StepDeps, StepOutcome } from './deps.js';
import { planFor } from './plan.js';

/**
 * Records the use of the session and issues the code (the authorization endpoint and the steps
 * that end with a live session). For a client with max_factor_age the code carries the acr and
 * amr of the factors that still count for it, never a level whose factor has aged out for it.
 * `participant`: the client's participant in the session as the decision read it, when it did.
 */
export const issueCode = async (
  deps: StepDeps,
  request: AuthorizationRequest,
  session: Session,
  seen: Seen,
  client: Pick<Client, 'max_factor_age' | 'max_idle'>,
  participant?: Participant | undefined,
): Promise<string> => {
  await touchSession(deps.store, deps.clock, deps.session, session, seen);
  const factors = client.max_factor_age === undefined ? undefined : countingFactors(session.factors, client.max_factor_age, nowSeconds(deps.clock));
  const asSeen = factors === undefined || factors.length === session.factors.length ? session : { ...session, acr: acrOf(deps.acrValues, factors), amr: amrOf(factors) };
  const touch = { idleTimeout: lifetimesFor(deps.session, session.rememberMe).idleTimeout, clientMaxIdle: client.max_idle, known: participant };
  return issueAuthorizationCode({ sessions: deps.store, clock: deps.clock, codeTtl: deps.codeTtl }, request, asSeen, touch);
};

/** Consumes the interaction (once) and answers its request with a code for the live session. */
export const answerWithSession = async (deps: StepDeps, i: AuthorizationInteraction, session: Session, seen: Seen): Promise<StepOutcome> => {
  if (!(await deps.store.deleteInteraction(i.id))) fail('interaction_expired', 'This sign-in request was already completed.');
  const client = await deps.store.clientById(i.request.clientId);
  if (!client) fail('unknown_client', 'The application is no longer registered.');
  return { kind: 'answer', answer: { code: await issueCode(deps, i.request, session, seen, client) } };
};

/** Consumes the interaction and answers the client with an error (OIDC Core §3.1.2.6). */
export const answerWithError = async (deps: StepDeps, i: AuthorizationInteraction, error: string, description: string): Promise<StepOutcome> => {
  await deps.store.deleteInteraction(i.id);
  return { kind: 'answer', answer: { error, error_description: description } };
};

export const moveTo = async (deps: StepDeps, i: AuthorizationInteraction, at: AuthorizationInteraction['at'], request = i.request): Promise<AuthorizationInteraction> => {
  await deps.store.updateInteraction(i.id, { ...storedStep(at), request: { ...request } });
  return { ...i, request, at };
};

/**
 * After a factor is verified (password, passkey, second factor): what the request still needs
 * (steps/plan.ts) — another factor, a refusal the client is told of, or the sign-in itself. The
 * sign-in records every factor with its time, the acr they earn and their amr; a step-up keeps
 * the browser's session of the account (same id, so the same sids), with a new auth_time.
 * Without consent to ask, the participant and code are written with the sign-in (issue 11 §1).
 */
export const afterFactor = async (deps: StepDeps, i: AuthorizationInteraction, pending: Omit<PendingSignIn, 'target' | 'failures'>, seen: Seen): Promise<StepOutcome> => {
  const now = nowSeconds(deps.clock);
  const client = await deps.store.clientById(i.request.clientId);
  if (!client) fail('unknown_client', 'The application is no longer registered.');
  const plan = planFor(requirementOf(deps.acrValues, i.request, client), pending.factors, await deps.factors.enrolled(pending.accountId), now);
  if (plan.kind === 'denied') return answerWithError(deps, i, 'access_denied', plan.description);
  if (plan.kind === 'ask') return { kind: 'next', interaction: await moveTo(deps, i, { step: 'second-factor', pending: { ...pending, target: plan.target, failures: 0 } }) };
  const account = await deps.store.accountById(pending.accountId);
  if (!account || account.disabled) fail('interaction_expired', 'This sign-in request has expired. Return to the application and try again.');
  const consent = await needsConsent(deps.store, i.request, client, account);
  const answer = consent ? undefined : authorizationAtSignIn(i.request, i.id, now, deps.codeTtl);
  const signedIn = await signIn(deps.store, deps.clock, deps.session, {
    browserId: seen.browserId,
    accountId: account.id,
    rememberMe: pending.rememberMe,
    factors: pending.factors,
    acr: acrOf(deps.acrValues, pending.factors),
    steppedUp: pending.sessionId !== undefined,
    upstream: pending.upstream,
    ip: seen.ip,
    userAgent: seen.userAgent,
    authorization: answer?.authorization,
  }, deps.ending);
  if (!signedIn) fail('interaction_expired', 'This sign-in request was already completed.');
  deps.signedIn();
  const browser = { cookie: signedIn.cookie, rememberMe: pending.rememberMe, session: signedIn.session, created: signedIn.created };
  if (!answer) return { kind: 'next', interaction: await moveTo(deps, i, { step: 'consent', sessionId: signedIn.session.id }), signedIn: browser };
  return { kind: 'answer', answer: { code: answer.code }, signedIn: browser };
};
