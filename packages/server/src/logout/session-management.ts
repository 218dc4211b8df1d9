import { createHash } from 'node:crypto';
import { randomToken } from '../util/secrets.js';

/**
 * OpenID Connect Session Management 1.0.
 *
 * The browser state (§3) is a value kept in a cookie that the provider's check_session iframe
 * reads from script; it holds nothing personal and no secret. It must change "when the End-User
 * logs in or out", and a session can end without this browser (an administrator, an expiry, a
 * password change, "sign out everywhere" on another device: issue 10 §3). So for a browser the
 * provider knows, the state is derived from the browser's live sessions:
 *
 *   <browser id> "." base64url(SHA-256("signoff-browser-state " + browser secret hash + " " + live session ids))[0..22]
 *
 * The browser id lets the iframe's confirmation request (routes/check-session-state.ts) find the
 * browser without the SameSite=Lax browser cookie, which a cross-site iframe never sends; the
 * digest, keyed by the hash of the browser cookie's secret (never shown to anyone), makes the
 * value unforgeable and unlinkable to the sessions. Any ending of a live session, wherever it
 * happens, and every sign-in (which replaces the browser secret) yield a different value. A browser
 * the provider does not know (no sign-in yet) gets a random value instead.
 */
export const newBrowserState = (): string => randomToken(16);

const ANONYMOUS = /^[A-Za-z0-9_-]{22}$/;
const BOUND = /^([0-9a-f-]{36})\.[A-Za-z0-9_-]{22}$/;

/** Either form: a random value (no sessions behind it) or one derived from a browser's sessions. */
export const isBrowserState = (value: string | undefined): value is string => value !== undefined && (ANONYMOUS.test(value) || BOUND.test(value));

/** The browser a derived state names; undefined for a random or malformed value. */
export const browserIdOfState = (value: string | undefined): string | undefined => (value === undefined ? undefined : BOUND.exec(value)?.[1]);

/** The state of a known browser whose live sessions are these (order does not matter). */
export const derivedBrowserState = (browser: { id: string; secretHash: string }, liveSessionIds: readonly string[]): string => {
  const digest = createHash('sha256').update(`signoff-browser-state ${browser.secretHash} ${[...liveSessionIds].sort().join(',')}`).digest('base64url');
  return `${browser.id}.${digest.slice(0, 22)}`;
};

/**
 * `session_state` (§2, §3): base64url(SHA-256(client_id + " " + origin + " " + browser state +
 * " " + salt)) + "." + salt. The salt is fresh per response, so the value varies even for the
 * same browser state and contains no spaces. The iframe recomputes it the same way.
 */
export const sessionState = (clientId: string, origin: string, browserState: string, salt: string = randomToken(12)): string =>
  `${createHash('sha256').update(`${clientId} ${origin} ${browserState} ${salt}`).digest('base64url')}.${salt}`;
