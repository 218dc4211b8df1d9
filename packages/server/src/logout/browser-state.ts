import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import { isLive } from '../sessions/browser.js';
import type { SessionStore } from '../sessions/store.js';
import { constantTimeEqual } from '../util/secrets.js';
import { browserIdOfState, derivedBrowserState } from './session-management.js';

type Deps = { store: Pick<SessionStore, 'browserWithOpenSessions'>; clock: Clock };

/**
 * The browser state the provider issues now to a known browser (Session Management 1.0 §3),
 * from its live sessions: a session past its idle or absolute expiry counts as ended even before
 * the sweeper ends it. Undefined for an unknown browser.
 */
export const currentBrowserState = async ({ store, clock }: Deps, browserId: string): Promise<string | undefined> => {
  const found = await store.browserWithOpenSessions(browserId);
  if (!found) return undefined;
  const now = nowSeconds(clock);
  const live = found.sessions.filter((s) => isLive(s, now));
  return derivedBrowserState(found.browser, live.map((s) => s.id));
};

/**
 * Whether the sessions behind a browser state have changed since it was issued (issue 10 §3): the
 * check_session iframe asks this before it answers `unchanged` (§3.2). A random state has no
 * sessions behind it and only a sign-in here replaces it, which the iframe sees in the cookie
 * itself; a missing or malformed one cannot match any session_state, so neither needs the store.
 * A derived state has changed when the browser would now get another one — a session ended or
 * expired, wherever — or when no such browser exists (the answer for a forged value, which
 * tells nothing about any real browser).
 */
export const browserStateChanged = async (deps: Deps, value: string | undefined): Promise<boolean> => {
  const browserId = browserIdOfState(value);
  if (browserId === undefined || value === undefined) return false;
  const current = await currentBrowserState(deps, browserId);
  return current === undefined || !constantTimeEqual(current, value);
};
