import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { sha256 } from '../util/secrets.js';
import { type BrowserCookie, newBrowserCookie } from './browser-cookie.js';
import { isLive } from './browser.js';
import { type EndingDeps, endSessions } from './end.js';
import type { EventStore } from './events.js';
import { type SessionPolicy, lifetimesFor } from './policy.js';
import type { Session, SessionStore } from './store.js';

export interface SignInInput {
  /** The browser the request came from, when its cookie was valid. */
  browserId?: string | undefined;
  accountId: string;
  rememberMe: boolean;
  amr: string[];
  acr: string;
  ip: string;
  userAgent: string;
}

/**
 * Records a successful authentication. The browser's cookie secret is always replaced, so a
 * value planted before sign-in is never adopted (session fixation). One session per account
 * per browser: re-authentication updates it (auth_time, amr, lifetimes) instead of adding one.
 * A new session past the account's concurrent-session limit ends the oldest ones (reason `limit`).
 */
export const signIn = async (
  store: SessionStore & EventStore,
  clock: Clock,
  policy: SessionPolicy,
  input: SignInInput,
  /** Wakes the back-channel delivery worker and counts the endings when the session limit ends sessions. */
  ending: Pick<EndingDeps, 'wake' | 'ended'> = {},
): Promise<{ cookie: BrowserCookie; session: Session }> => {
  const now = nowSeconds(clock);
  let cookie: BrowserCookie;
  if (input.browserId) {
    cookie = newBrowserCookie(input.browserId);
    await store.updateBrowserSecret(input.browserId, sha256(cookie.secret));
  } else {
    cookie = newBrowserCookie();
    await store.insertBrowser({ id: cookie.browserId, secretHash: sha256(cookie.secret), createdAt: now });
  }
  const { idleTimeout, absoluteLifetime } = lifetimesFor(policy, input.rememberMe);
  const existing = (await store.openSessionsOfBrowser(cookie.browserId)).find((s) => s.accountId === input.accountId && isLive(s, now));
  if (existing) {
    const patch = {
      authTime: now,
      lastSeen: now,
      amr: input.amr,
      acr: input.acr,
      rememberMe: input.rememberMe,
      idleExpiresAt: now + idleTimeout,
      absoluteExpiresAt: Math.max(existing.absoluteExpiresAt, now + absoluteLifetime),
      lastIp: input.ip,
      lastUserAgent: input.userAgent,
    };
    await store.updateSession(existing.id, patch);
    await store.appendEvent({ at: now, type: 'session.reauthenticated', sessionId: existing.id, accountId: input.accountId, actor: 'user' });
    return { cookie, session: { ...existing, ...patch } };
  }
  const session: Session = {
    id: randomUUID(),
    browserId: cookie.browserId,
    accountId: input.accountId,
    createdAt: now,
    authTime: now,
    lastSeen: now,
    idleExpiresAt: now + idleTimeout,
    absoluteExpiresAt: now + absoluteLifetime,
    amr: input.amr,
    acr: input.acr,
    rememberMe: input.rememberMe,
    createdIp: input.ip,
    createdUserAgent: input.userAgent,
    lastIp: input.ip,
    lastUserAgent: input.userAgent,
  };
  await store.insertSession(session);
  await store.appendEvent({ at: now, type: 'session.created', sessionId: session.id, accountId: input.accountId, actor: 'user' });
  if (policy.maxSessionsPerAccount !== undefined) await enforceSessionLimit(store, clock, input.accountId, policy.maxSessionsPerAccount, ending);
  return { cookie, session };
};

/** Ends the account's oldest live sessions beyond the limit, in one statement. */
const enforceSessionLimit = (store: SessionStore, clock: Clock, accountId: string, limit: number, ending: Pick<EndingDeps, 'wake' | 'ended'>): Promise<unknown> =>
  endSessions({ ...ending, sessions: store, clock }, { overLimitOf: accountId, keep: limit, liveAt: nowSeconds(clock) }, 'limit', 'system');
