import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { activeTraceParent, inSpan } from '../telemetry/trace.js';
import { sha256 } from '../util/secrets.js';
import { type VerifiedFactor, amrOf } from './factors.js';
import { type BrowserCookie, newBrowserCookie } from './browser-cookie.js';
import type { EndingDeps } from './end.js';
import { type SessionPolicy, lifetimesFor } from './policy.js';
import type { Participant, Session, SessionStore, SignInAuthorization, SignInRecord } from './store.js';

export interface SignInInput {
  /** The browser the request came from, when its cookie was valid. */
  browserId?: string | undefined;
  accountId: string;
  rememberMe: boolean;
  /** Every factor the session is authenticated with (a step-up: the session's own still counting, and the new one). */
  factors: VerifiedFactor[];
  /** The acr those factors earn (oauth/authorize/acr.ts acrOf). */
  acr: string;
  /** A step-up of the browser's live session for this account (issue 14 §3): recorded as `session.stepped_up`. */
  steppedUp?: boolean | undefined;
  ip: string;
  userAgent: string;
  /** The participant and code to write with the sign-in, when its request is answered at once. */
  authorization?: SignInAuthorization | undefined;
  /** The upstream session it came through (issue 15 §1). */
  upstream?: SignInRecord['upstream'];
}

/**
 * Records a successful authentication. The browser's cookie secret is always replaced, so a
 * value planted before sign-in is never adopted (session fixation). One session per account
 * per browser: re-authentication updates it (auth_time, amr, lifetimes) instead of adding one.
 * A new session past the account's concurrent-session limit ends the oldest ones (reason `limit`).
 * All of it — with the participant and authorization code when the request is answered at once —
 * is one store operation (issue 11 §1), so two instances racing leave one open session and a
 * failure part-way leaves nothing. Undefined when the interaction it answers was already completed.
 */
export const signIn = (
  store: Pick<SessionStore, 'recordSignIn'>,
  clock: Clock,
  policy: SessionPolicy,
  input: SignInInput,
  /** Wakes the back-channel delivery worker and counts the endings when the session limit ends sessions. */
  ending: Pick<EndingDeps, 'wake' | 'ended'> = {},
): Promise<{ cookie: BrowserCookie; session: Session; created: boolean; participant?: Participant | undefined } | undefined> =>
  // Traced (issue 17 §2): the methods, and whether a session was created or an existing one re-authenticated.
  inSpan('signoff.sign_in', { 'signoff.amr': amrOf(input.factors) }, async (span) => {
    const now = nowSeconds(clock);
    // The cookie secret is always new (session fixation); only its hash is stored.
    const cookie = input.browserId ? newBrowserCookie(input.browserId) : newBrowserCookie();
    const { idleTimeout, absoluteLifetime } = lifetimesFor(policy, input.rememberMe);
    const result = await store.recordSignIn({
      traceParent: activeTraceParent(),
      browser: { id: cookie.browserId, secretHash: sha256(cookie.secret), createdAt: now },
      session: {
        id: randomUUID(),
        browserId: cookie.browserId,
        accountId: input.accountId,
        createdAt: now,
        authTime: now,
        lastSeen: now,
        idleExpiresAt: now + idleTimeout,
        absoluteExpiresAt: now + absoluteLifetime,
        amr: amrOf(input.factors),
        acr: input.acr,
        factors: input.factors,
        rememberMe: input.rememberMe,
        createdIp: input.ip,
        createdUserAgent: input.userAgent,
        lastIp: input.ip,
        lastUserAgent: input.userAgent,
      },
      maxSessionsPerAccount: policy.maxSessionsPerAccount,
      authorization: input.authorization,
      steppedUp: input.steppedUp,
      upstream: input.upstream,
  });
  // Its interaction was already completed (a form submitted twice): nothing was written.
  if (!result) return undefined;
  const { session, created, endings, participant } = result;
  span.setAttribute('signoff.session_created', created);
  // The endings committed with the sign-in: wake the delivery worker and count them, as sessions/end.ts does.
  for (const e of endings) {
    if (e.sessions.length > 0) ending.wake?.();
    ending.ended?.(e.reason, e.sessions.length);
  }
  return { cookie, session, created, participant };
  });
