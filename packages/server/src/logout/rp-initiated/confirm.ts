import { endMyOtherSessions } from '../../account/sessions.js';
import { fail } from '../../errors.js';
import { type EndingDeps, endSessions } from '../../sessions/end.js';
import type { EndedSession, Session, SessionSelector } from '../../sessions/store.js';

/** An end-session request waiting for the user's confirmation (kept with its interaction). */
export interface PendingLogout {
  clientId?: string | undefined;
  postLogoutRedirectUri?: string | undefined;
  state?: string | undefined;
  /** The request's ui_locales: the language of the confirmation and what follows it. */
  uiLocales?: string | undefined;
  /** The request asked for a federated logout (issue 15 §2). */
  federated?: boolean | undefined;
  /** The account `session`, `everywhere` and `others` sign out. */
  accountId: string;
}

/** The confirmation form's `logout_scope` values (DESIGN.md "Contracts"; `others` issue 13 §1). */
export const LOGOUT_SCOPES = ['session', 'browser', 'everywhere', 'others'] as const;
export type LogoutScope = (typeof LOGOUT_SCOPES)[number];

export type ConfirmOutcome =
  /** "Stay signed in": nothing ends. */
  | { kind: 'stayed' }
  /** The account's sessions on other browsers ended; this browser and its applications are untouched. */
  | { kind: 'others-ended'; count: number }
  /** Sessions of this browser (or of the account everywhere) ended: the browser goes on to the signed-out page. */
  | { kind: 'ended'; ended: EndedSession[] };

/**
 * The logout confirmation step (RP-Initiated Logout 1.0 §2 "the OP SHOULD ask the End-User"):
 * what the user chose, ended through the one ending path. The interaction must already be
 * consumed by the caller, so a confirmation posted twice ends nothing twice. The browser's
 * session of the account may be gone (signed out in another tab): nothing left to end is not an error.
 */
export const confirmLogout = async (
  deps: EndingDeps,
  pending: PendingLogout,
  choice: { stay: true } | { stay: false; scope: LogoutScope },
  browser: { browserId: string; sessions: readonly Session[] } | undefined,
): Promise<ConfirmOutcome> => {
  if (choice.stay) return { kind: 'stayed' };
  const { scope } = choice;
  const session = browser?.sessions.find((s) => s.accountId === pending.accountId);
  if (scope === 'others') {
    const ended = session ? await endMyOtherSessions(deps, { accountId: pending.accountId, currentSessionId: session.id }) : [];
    return { kind: 'others-ended', count: ended.length };
  }
  let selector: SessionSelector | undefined;
  if (scope === 'everywhere') selector = { accountId: pending.accountId };
  else if (scope === 'browser' && browser) selector = { browserId: browser.browserId };
  else if (scope === 'session' && session) selector = { sessionId: session.id };
  return { kind: 'ended', ended: selector ? await endSessions(deps, selector, 'logout', 'user') : [] };
};

/** The form's choice, read before the interaction is consumed, so a bad form leaves the confirmation usable. */
export const logoutChoice = (stay: boolean, scope: string | undefined): { stay: true } | { stay: false; scope: LogoutScope } => {
  if (stay) return { stay: true };
  const known = LOGOUT_SCOPES.find((s) => s === scope);
  if (!known) fail('invalid_request', 'logout_scope must be session, browser, everywhere or others.');
  return { stay: false, scope: known };
};
