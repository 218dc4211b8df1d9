import { type SessionQueryDeps, type SessionView, listSessionViews } from '../sessions/query.js';
import { type EndingDeps, endSessions } from '../sessions/end.js';
import type { EndedSession, SessionStore } from '../sessions/store.js';
import { ACCOUNT_CLIENT_ID } from './client.js';

/**
 * The devices page's use cases (issue 13 §1): a signed-in user sees the open sessions of their
 * account and ends one, or every other one. Endings go through the one ending path with reason
 * `logout` and actor `user` — the user signing out, as at the logout endpoint — so that every
 * application of an ended session is told (back-channel; front-channel for this browser's).
 */

/** A session as the page shows it: the view, and whether it is the one of this browser. */
export interface MySession {
  view: SessionView;
  current: boolean;
}

/** The most sessions one account can have open is bounded by session.maxSessionsPerAccount; the page shows up to this many. */
const PAGE = 200;

/** The account's live sessions, the most recently active first; this browser's is marked. */
export const mySessions = async (deps: SessionQueryDeps, q: { accountId: string; currentSessionId: string }): Promise<MySession[]> => {
  const { sessions } = await listSessionViews(deps, { accountId: q.accountId, active: true, limit: PAGE });
  return sessions
    .map((view) => ({ view: { ...view, clients: view.clients.filter((c) => c.client_id !== ACCOUNT_CLIENT_ID) }, current: view.id === q.currentSessionId }))
    .sort((a, b) => b.view.last_active_at - a.view.last_active_at || (a.view.id < b.view.id ? -1 : 1));
};

type Deps = EndingDeps & { sessions: Pick<SessionStore, 'endSessions' | 'sessionById'> };

/**
 * Ends one other session of the account. Another account's session, an ended one, an unknown
 * id or this browser's own ("sign out here" is a logout) end nothing: `not_found`.
 */
export const endMySession = async (deps: Deps, q: { accountId: string; sessionId: string; currentSessionId: string }): Promise<EndedSession[] | 'not_found'> => {
  if (q.sessionId === q.currentSessionId) return 'not_found';
  const session = await deps.sessions.sessionById(q.sessionId);
  if (!session || session.accountId !== q.accountId || session.endedAt !== undefined) return 'not_found';
  const ended = await endSessions(deps, { sessionId: session.id }, 'logout', 'user');
  return ended.length > 0 ? ended : 'not_found';
};

/** Ends every other open session of the account, in one transaction; this browser's stays. */
export const endMyOtherSessions = (deps: EndingDeps, q: { accountId: string; currentSessionId: string }): Promise<EndedSession[]> =>
  endSessions(deps, { accountId: q.accountId, exceptSessionId: q.currentSessionId }, 'logout', 'user');
