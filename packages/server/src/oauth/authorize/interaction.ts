import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { nowSeconds } from '../../clock.js';
import { fail } from '../../errors.js';
import { constantTimeEqual, isRandomToken, randomToken, sha256 } from '../../util/secrets.js';
import type { Interaction, InteractionStore } from './interaction-store.js';
import type { PendingLogout } from '../../logout/rp-initiated/confirm.js';
import { type VerifiedFactor, parseFactors } from '../../sessions/factors.js';
import type { AcrLevel } from './acr.js';
import type { AuthorizationRequest } from './request.js';
import type { UpstreamRequest } from '../../upstreams/relying-party.js';
import type { UpstreamSession } from '../../upstreams/store.js';

/**
 * Starts the anonymous pre-authentication record of one authorization request (or of one
 * end-session request awaiting confirmation, step `logout`). It is bound to the browser by a
 * secret cookie (only its hash is stored) and carries a CSRF token for forms.
 *
 * One binding secret serves every interaction a browser starts while its cookie lives: the
 * browser then holds one small cookie however many sign-ins it starts or abandons (with one
 * cookie per interaction, ~170 abandoned flows pushed the Cookie header past 16 KB and locked
 * the browser out with 431 for the interaction lifetime), and parallel tabs still work.
 */
export const startInteraction = async (
  store: InteractionStore,
  clock: Clock,
  ttl: number,
  request: AuthorizationRequest | PendingLogout | Record<string, unknown>,
  at: Pick<Interaction, 'step' | 'sessionId' | 'state'>,
  browserBinding?: string,
): Promise<{ interaction: Interaction; bindingSecret: string }> => {
  const now = nowSeconds(clock);
  const bindingSecret = browserBinding !== undefined && isRandomToken(browserBinding) ? browserBinding : randomToken(32);
  const interaction: Interaction = {
    id: randomUUID(),
    bindingHash: sha256(bindingSecret),
    csrfToken: randomToken(32),
    request: storedRequest(request),
    createdAt: now,
    expiresAt: now + ttl,
    ...at,
  };
  await store.insertInteraction(interaction);
  return { interaction, bindingSecret };
};

/** A sign-in waiting for a further factor: a fresh one (no session yet) or a step-up of `sessionId`. */
export interface PendingSignIn {
  accountId: string;
  /** The browser's live session of the account being stepped up (issue 14 §3): same id, same sids. */
  sessionId?: string | undefined;
  /** The factors verified so far (a step-up: the session's that still count). */
  factors: VerifiedFactor[];
  rememberMe: boolean;
  /** The level the request asked for and the account can reach. */
  target: AcrLevel;
  /** Wrong second factors in this interaction; past a few the interaction ends (RFC 6238 §5.2 throttling). */
  failures: number;
  /** The upstream session the first factor came from (issue 15 §1), recorded with the sign-in. */
  upstream?: Omit<UpstreamSession, 'sessionId'> | undefined;
}

/** Where an authorization interaction stands: the step the user is asked (issue 14 §1). */
export type AuthorizationStep =
  | { step: 'login' }
  | { step: 'choose' }
  | { step: 'second-factor'; pending: PendingSignIn }
  /** Gone to sign in at an upstream provider; its answer comes back to the upstream's callback (issue 15 §1). */
  | { step: 'upstream'; upstream: UpstreamRequest }
  | { step: 'consent'; sessionId: string };

interface InteractionBase {
  id: string;
  csrfToken: string;
  expiresAt: number;
}

export interface AuthorizationInteraction extends InteractionBase {
  kind: 'authorization';
  request: AuthorizationRequest;
  at: AuthorizationStep;
}

export interface LogoutInteraction extends InteractionBase {
  kind: 'logout';
  request: PendingLogout;
}

/** What the store keeps of a step. */
export const storedStep = (at: AuthorizationStep): Pick<Interaction, 'step' | 'sessionId' | 'state'> => {
  switch (at.step) {
    case 'second-factor':
      return { step: at.step, sessionId: at.pending.sessionId, state: { ...at.pending } };
    case 'consent':
      return { step: at.step, sessionId: at.sessionId, state: undefined };
    case 'upstream':
      return { step: at.step, sessionId: undefined, state: { ...at.upstream } };
    default:
      return { step: at.step, sessionId: undefined, state: undefined };
  }
};

const isPendingSignIn = (v: unknown): v is PendingSignIn =>
  typeof v === 'object' && v !== null && typeof (v as PendingSignIn).accountId === 'string' && Array.isArray((v as PendingSignIn).factors) &&
  typeof (v as PendingSignIn).target === 'string';

const isUpstreamRequest = (v: unknown): v is UpstreamRequest =>
  typeof v === 'object' && v !== null && ['upstreamId', 'state', 'nonce', 'codeVerifier'].every((k) => typeof (v as Record<string, unknown>)[k] === 'string');

/** The typed step of a stored interaction; a row it cannot read is treated as expired. */
const stepOf = (i: Interaction): AuthorizationStep => {
  if (i.step === 'upstream') {
    if (!isUpstreamRequest(i.state)) fail('interaction_expired', 'This sign-in request has expired. Return to the application and try again.');
    const { upstreamId, state, nonce, codeVerifier } = i.state;
    return { step: 'upstream', upstream: { upstreamId, state, nonce, codeVerifier } };
  }
  if (i.step === 'second-factor') {
    if (!isPendingSignIn(i.state)) fail('interaction_expired', 'This sign-in request has expired. Return to the application and try again.');
    return { step: 'second-factor', pending: { ...i.state, factors: parseFactors(i.state.factors), failures: Number(i.state.failures) || 0 } };
  }
  // Before the consent step had a name, a sign-in awaiting consent was `login` with its session.
  if (i.step === 'consent' || (i.step === 'login' && i.sessionId)) {
    return i.sessionId ? { step: 'consent', sessionId: i.sessionId } : { step: 'login' };
  }
  return i.step === 'choose' ? { step: 'choose' } : { step: 'login' };
};

/**
 * Loads an interaction for this browser: unknown or expired ones are gone; one whose binding
 * cookie is missing or wrong was started elsewhere (a forwarded link, a cross-site post).
 */
type InteractionKind = 'authorization' | 'logout' | 'federated-logout';

const kindOf = (step: Interaction['step']): InteractionKind => (step === 'logout' || step === 'federated-logout' ? step : 'authorization');

export const loadStored = async (store: InteractionStore, clock: Clock, id: string, bindingSecret: string | undefined, kind: InteractionKind): Promise<Interaction> => {
  const interaction = /^[0-9a-f-]{36}$/.test(id) ? await store.interactionById(id) : undefined;
  if (!interaction || interaction.expiresAt <= nowSeconds(clock) || kindOf(interaction.step) !== kind) {
    fail('interaction_expired', 'This sign-in request has expired or was already completed. Return to the application and try again.');
  }
  if (!bindingSecret || !constantTimeEqual(interaction.bindingHash, sha256(bindingSecret))) {
    fail('csrf', 'This sign-in request was started in another browser or window. Return to the application and try again.');
  }
  return interaction;
};

/** An authorization request's interaction, bound to this browser. */
export const loadInteraction = async (store: InteractionStore, clock: Clock, id: string, bindingSecret: string | undefined): Promise<AuthorizationInteraction> => {
  const i = await loadStored(store, clock, id, bindingSecret, 'authorization');
  return { kind: 'authorization', id: i.id, csrfToken: i.csrfToken, expiresAt: i.expiresAt, request: i.request as unknown as AuthorizationRequest, at: stepOf(i) };
};

/** An end-session request's interaction awaiting confirmation, bound to this browser. */
export const loadLogoutInteraction = async (store: InteractionStore, clock: Clock, id: string, bindingSecret: string | undefined): Promise<LogoutInteraction> => {
  const i = await loadStored(store, clock, id, bindingSecret, 'logout');
  return { kind: 'logout', id: i.id, csrfToken: i.csrfToken, expiresAt: i.expiresAt, request: i.request as unknown as PendingLogout };
};

/** Checks the form's CSRF token against the interaction's, in constant time. */
export const checkCsrf = (interaction: Pick<InteractionBase, 'csrfToken'>, token: string | undefined): void => {
  if (!token || !constantTimeEqual(interaction.csrfToken, token)) fail('csrf', 'The form has expired. Go back and try again.');
};

/** The stored form of a request (the store keeps it as opaque JSON). */
export const storedRequest = (request: AuthorizationRequest | PendingLogout | Record<string, unknown>): Record<string, unknown> => ({ ...request });
