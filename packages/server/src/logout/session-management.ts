import { createHash } from 'node:crypto';
import { randomToken } from '../util/secrets.js';

/**
 * OpenID Connect Session Management 1.0.
 *
 * The browser state is an opaque random value kept in a cookie that the provider's
 * check_session iframe reads from script (§3); it holds nothing personal and no secret, and is
 * replaced whenever the set of sessions in the browser changes: sign-in, sign-out, an account
 * added or re-authenticated (§3 "changes … when the End-User logs in or out").
 */
export const newBrowserState = (): string => randomToken(16);

export const BROWSER_STATE = /^[A-Za-z0-9_-]{22}$/;

/**
 * `session_state` (§2, §3): base64url(SHA-256(client_id + " " + origin + " " + browser state +
 * " " + salt)) + "." + salt. The salt is fresh per response, so the value varies even for the
 * same browser state and contains no spaces. The iframe recomputes it the same way.
 */
export const sessionState = (clientId: string, origin: string, browserState: string, salt: string = randomToken(12)): string =>
  `${createHash('sha256').update(`${clientId} ${origin} ${browserState} ${salt}`).digest('base64url')}.${salt}`;
