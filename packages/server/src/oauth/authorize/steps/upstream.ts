import { nowSeconds } from '../../../clock.js';
import { fail } from '../../../errors.js';
import { carriedAmr } from '../../../sessions/factors.js';
import { sealUpstreamIdToken } from '../../../upstreams/id-token.js';
import { accountForIdentity } from '../../../upstreams/link.js';
import { redeemUpstreamAnswer, upstreamAuthorizationUrl } from '../../../upstreams/relying-party.js';
import type { AuthorizationInteraction } from '../interaction.js';
import type { Seen, StepDeps, StepOutcome } from './deps.js';
import { afterFactor, answerWithError, moveTo } from './finish.js';

/**
 * Sign-in through an upstream provider, first half (issue 15 §1): the browser is sent to the
 * upstream's authorization endpoint; the interaction remembers the request's state, nonce and PKCE
 * verifier for the answer. An upstream that cannot be reached is a clear page, never a 500.
 */
export const startUpstreamStep = async (deps: StepDeps, i: AuthorizationInteraction, upstreamId: string): Promise<StepOutcome> => {
  const upstream = deps.upstreams.byId(upstreamId);
  if (!upstream) fail('invalid_request', 'There is no such sign-in provider.');
  // OIDC Core §3.1.2.1: a prompt=login or max_age=0 the downstream client asked for is asked of the upstream too.
  const forceLogin = i.request.prompt.includes('login') || i.request.maxAge === 0;
  const started = await upstreamAuthorizationUrl(deps.upstreams, deps.issuer, upstream, i.id, { loginHint: i.request.loginHint, uiLocales: i.request.uiLocales, forceLogin });
  if (!started) fail('temporarily_unavailable', `${upstream.display_name} cannot be reached right now. Try again in a moment, or sign in another way.`);
  await moveTo(deps, i, { step: 'upstream', upstream: started.request });
  return { kind: 'redirect', url: started.url };
};

/**
 * Second half: the upstream's answer at Signoff's callback. A verified identity becomes the local
 * account it is linked to (upstreams/link.ts) and a factor `upstream` carrying the upstream's amr;
 * the request may still ask a local second factor (steps/plan.ts). The upstream session — its sid
 * and its ID token, sealed — is recorded with the sign-in, for the logouts that cross the
 * boundary (issue 15 §2). An answer that does not verify (state, nonce, signature) is refused.
 */
export const upstreamCallbackStep = async (deps: StepDeps, i: AuthorizationInteraction, callbackUrl: URL, seen: Seen): Promise<StepOutcome> => {
  if (i.at.step !== 'upstream') fail('interaction_expired', 'This sign-in request has expired or was already completed. Return to the application and try again.');
  const request = i.at.upstream;
  const upstream = deps.upstreams.byId(request.upstreamId);
  if (!upstream) fail('interaction_expired', 'This sign-in provider is no longer configured. Return to the application and try again.');
  const answer = await redeemUpstreamAnswer(deps.upstreams, deps.issuer, request, callbackUrl);
  if (answer.kind === 'invalid') {
    await moveTo(deps, i, { step: 'login' });
    fail('access_denied', `The answer from ${upstream.display_name} could not be verified. Return to the application and try again.`, answer.reason);
  }
  if (answer.kind === 'refused') {
    // The user cancelled or the upstream declined: back to the sign-in page, where another way is offered.
    await moveTo(deps, i, { step: 'login' });
    return { kind: 'refused', refusal: 'login.error.upstream', status: 401 };
  }
  const { identity } = answer;
  const linked = await accountForIdentity({ accounts: deps.store, upstreams: deps.store, events: deps.store, clock: deps.clock }, upstream, identity);
  if (linked.kind === 'refused') return answerWithError(deps, i, 'access_denied', linked.description);
  const { account } = linked;
  if (i.request.hintedSub !== undefined && account.id !== i.request.hintedSub) {
    await moveTo(deps, i, { step: 'login' });
    return { kind: 'refused', refusal: 'login.error.other_account', status: 403 };
  }
  const now = nowSeconds(deps.clock);
  // Carried over where the upstream states them (issue 15 §1): its RFC 8176 amr, and its acr when
  // that is one of Signoff's own values (an upstream Signoff, or one configured with its values).
  const level = deps.acrValues.find((v) => v.value === identity.claims.acr)?.level;
  const factor = { method: 'upstream' as const, at: now, upstream: upstream.id, amr: carriedAmr(identity.claims.amr), ...(level ? { level } : {}) };
  const sealed = sealUpstreamIdToken(deps.kek, upstream.id, identity.subject, identity.idToken);
  const upstreamSession = { upstreamId: upstream.id, issuer: identity.issuer, subject: identity.subject, sid: identity.sid, idToken: sealed, at: now };
  return afterFactor(deps, i, { accountId: account.id, factors: [factor], rememberMe: false, upstream: upstreamSession }, seen);
};
