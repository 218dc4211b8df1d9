import { type EndingDeps, endSessions } from '../sessions/end.js';
import type { EndedSession, SessionStore } from '../sessions/store.js';

/** How many of the account's open sessions are read at a time. */
const BATCH = 500;

/**
 * "Sign out of my other devices, stay signed in here" (logout_scope=others, issue 13 §2): every
 * open session of the account on another browser ends through the one ending path, each as its
 * own ending with the given reason and actor (their back-channel clients are queued as for any
 * ending), while the session on `browserId` stays. Returns the ended sessions.
 */
export const endOtherDevices = async (
  deps: EndingDeps,
  sessions: Pick<SessionStore, 'listSessions'>,
  opts: { accountId: string; browserId: string; reason: 'logout'; actor: string },
): Promise<EndedSession[]> => {
  const ended: EndedSession[] = [];
  const tried = new Set<string>();
  for (;;) {
    const open = await sessions.listSessions({ accountId: opts.accountId, limit: BATCH });
    const others = open.filter((s) => s.browserId !== opts.browserId && !tried.has(s.id));
    for (const s of others) {
      tried.add(s.id);
      ended.push(...(await endSessions(deps, { sessionId: s.id }, opts.reason, opts.actor)));
    }
    if (others.length === 0 || open.length < BATCH) return ended;
  }
};
