import type { Account } from '../accounts/store.js';
import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { constantTimeEqual, sha256 } from '../util/secrets.js';
import { type BrowserCookie, parseBrowserCookie } from './browser-cookie.js';
import { type SessionPolicy, lifetimesFor, touchInterval } from './policy.js';
import type { Session, SessionStore } from './store.js';

export interface ResolvedBrowser {
  browserId: string;
  /** The stored SHA-256 of the cookie's secret, which the cookie matched (Session Management's browser state derives from it). */
  secretHash: string;
  /** Live sessions (not ended, not expired), most recently authenticated first. */
  sessions: Session[];
  /** The accounts of the open sessions, read with them (disabled or deleted ones included: signedInAccounts decides). */
  accounts: Account[];
}

export const isLive = (s: Session, now: number): boolean =>
  s.endedAt === undefined && now < s.idleExpiresAt && now < s.absoluteExpiresAt;

/**
 * Why an open session that is no longer live ended: the expiry it reached first. Undefined while
 * it lives. Every store adapter ends such a session this way when a sign-in finds it unswept.
 */
export const expiryReason = (s: Session, now: number): 'expired_idle' | 'expired_absolute' | undefined =>
  isLive(s, now) ? undefined : s.idleExpiresAt < s.absoluteExpiresAt ? 'expired_idle' : 'expired_absolute';

/**
 * Finds the browser a cookie value names. A malformed, unknown or tampered value resolves to
 * nothing (the caller clears the cookie): the secret is compared by hash in constant time.
 */
export const resolveBrowser = async (
  store: SessionStore,
  clock: Clock,
  cookieValue: string | undefined,
): Promise<(ResolvedBrowser & { cookie: BrowserCookie }) | undefined> => {
  const cookie = parseBrowserCookie(cookieValue);
  if (!cookie) return undefined;
  const found = await store.browserWithOpenSessions(cookie.browserId);
  if (!found || !constantTimeEqual(found.browser.secretHash, sha256(cookie.secret))) return undefined;
  const { browser } = found;
  const now = nowSeconds(clock);
  const sessions = found.sessions.filter((s) => isLive(s, now));
  return { browserId: browser.id, secretHash: browser.secretHash, sessions, accounts: found.accounts, cookie };
};

/** Records use of a session, throttled (see touchInterval), extending its idle expiry. */
export const touchSession = async (
  store: SessionStore,
  clock: Clock,
  policy: SessionPolicy,
  session: Session,
  seen: { ip: string; userAgent: string },
): Promise<void> => {
  const now = nowSeconds(clock);
  const { idleTimeout } = lifetimesFor(policy, session.rememberMe);
  if (now - session.lastSeen < touchInterval(idleTimeout)) return;
  const idleExpiresAt = Math.min(now + idleTimeout, session.absoluteExpiresAt);
  await store.updateSession(session.id, { lastSeen: now, idleExpiresAt, lastIp: seen.ip, lastUserAgent: seen.userAgent });
  Object.assign(session, { lastSeen: now, idleExpiresAt });
};
