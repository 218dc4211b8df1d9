import type { SignedIn } from '../../oauth/authorize/decide.js';
import type { SessionStore } from '../../sessions/store.js';
import type { LogoutRequest } from './request.js';

/**
 * What an end-session request does in this browser (RP-Initiated Logout 1.0 §2-§3):
 * - `end`: the hint is valid and names a live session of this browser, through which its client
 *   is signed in: sign that session out without asking (unless the client asks for a
 *   confirmation every time).
 * - `confirm`: anything else with a session here — no hint, a hint for another session or
 *   user, a logout_hint that disagrees — asks the user (§2 "SHOULD ask the End-User").
 *   `target` is the account the request points at, or else the most recently signed-in one.
 * - `done`: nothing is signed in here (or the hinted session already ended): signing out again
 *   is not an error, the redirect still completes.
 */
export type LogoutDecision = { kind: 'end'; target: SignedIn } | { kind: 'confirm'; target: SignedIn } | { kind: 'done' };

const named = (s: SignedIn, hint: string): boolean => s.account.username === hint || s.account.id === hint;

export const decideLogout = async (
  sessions: Pick<SessionStore, 'participantBySid' | 'sessionById'>,
  request: LogoutRequest,
  signedIn: readonly SignedIn[],
): Promise<LogoutDecision> => {
  const { hint, logoutHint } = request;
  const byLogoutHint = logoutHint === undefined ? undefined : signedIn.find((s) => named(s, logoutHint));
  let byHint: SignedIn | undefined;
  if (hint?.sid !== undefined) {
    const participant = await sessions.participantBySid(hint.sid);
    byHint = signedIn.find((s) => s.session.id === participant?.sessionId && s.account.id === hint.sub && participant?.clientId === hint.clientId);
    if (!byHint && participant) {
      // The hinted session is not live in this browser: ended already (idempotent), or someone else's.
      const session = await sessions.sessionById(participant.sessionId);
      if (session?.endedAt !== undefined && session.accountId === hint.sub) return { kind: 'done' };
    }
  } else if (hint) {
    byHint = signedIn.find((s) => s.account.id === hint.sub);
  }
  const [newest] = signedIn;
  if (!newest) return { kind: 'done' };
  const agrees = byLogoutHint === undefined || byLogoutHint === byHint;
  if (byHint && hint?.sid !== undefined && agrees && !request.client?.require_logout_confirmation) return { kind: 'end', target: byHint };
  return { kind: 'confirm', target: byHint ?? byLogoutHint ?? newest };
};
