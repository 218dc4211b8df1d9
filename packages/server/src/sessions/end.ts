import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { activeTraceParent, inSpan } from '../telemetry/trace.js';
import type { EndReason, EndedSession, SessionEnding, SessionSelector, SessionStore } from './store.js';

export interface EndingDeps {
  sessions: Pick<SessionStore, 'endSessions'>;
  clock: Clock;
  wake?: (() => void) | undefined;
  ended?: ((reason: EndReason, count: number) => void) | undefined;
}

/**
 * The one way a session ends (DESIGN.md "One way to end a session"): RP-initiated logout, the
 * user, an administrator, idle or absolute expiry, a password change, a disabled account and the
 * concurrent-session limit all call this. In one store transaction the sessions are marked ended,
 * the refresh tokens bound to them revoked (offline_access ones survive, OIDC Core §11), their
 * access tokens become inactive (they are checked against the session), one back-channel outbox
 * row is written per participant client with a `backchannel_logout_uri` (Back-Channel Logout
 * §2.5) and the audit events are recorded. The ended sessions come back with their participants,
 * for the front-channel page when the browser is present.
 *
 * `actor` says who: `user`, `client:<client_id>`, `admin:<name>` or `system`. `wake`, when given,
 * nudges the delivery worker once the transaction has committed (DESIGN.md "Back-channel
 * delivery": the ending never waits for applications, yet notifications leave at once); `ended`
 * counts the endings by reason for the metrics.
 *
 * Traced as one span (issue 17 §2) whose traceparent the outbox rows keep, so every delivery
 * attempt of this ending — on any instance, however late — is a child of it: one logout's
 * fan-out is one trace.
 */
export const endSessions = (
  deps: EndingDeps,
  selector: SessionSelector,
  reason: EndReason,
  actor: string,
  options: EndingOptions = {},
): Promise<EndedSession[]> =>
  inSpan('signoff.sessions.end', { 'signoff.end_reason': reason, 'signoff.actor': actorKind(actor) }, async (span) => {
    const ending: SessionEnding = { reason, actor, at: nowSeconds(deps.clock), traceParent: activeTraceParent() };
    if (options.revokeOfflineTokens) ending.revokeOfflineTokens = true;
    const ended = await deps.sessions.endSessions(selector, ending);
    span.setAttribute('signoff.sessions_ended', ended.length);
    afterEnding(deps, reason, ended);
    return ended;
  });

/** The kind of actor (`user`, `client`, `admin`, `system`, `upstream`) — never a name, which a trace need not carry. */
const actorKind = (actor: string): string => actor.split(':', 1)[0] ?? actor;

export interface EndingOptions {
  /**
   * "Log out everywhere" with revoke_offline_tokens (issue 12 §1, default false): with the
   * `{ accountId }` selector the account's offline_access token families are revoked too.
   */
  revokeOfflineTokens?: boolean | undefined;
}

/**
 * What follows an ending once its transaction has committed: the delivery worker is woken when
 * something ended, and the endings are counted by reason. A use case whose own transaction ran
 * the ending (accounts/lifecycle.ts: a password change) calls this after its commit.
 */
export const afterEnding = (deps: Pick<EndingDeps, 'wake' | 'ended'>, reason: EndReason, ended: readonly EndedSession[]): void => {
  if (ended.length > 0) deps.wake?.();
  deps.ended?.(reason, ended.length);
};
