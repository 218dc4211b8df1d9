import { expiryReason } from '../../sessions/browser.js';
import type { Session, SignInAuthorization, SignInRecord, SignInResult } from '../../sessions/store.js';
import type { Q, Row } from './db.js';
import { endSessions } from './ending.js';
import { INSERT_SESSION_HEAD, sessionValues, toSession, upsertParticipantRow } from './session-rows.js';
import { insertCodeRow } from './tokens.js';
import { upsertUpstreamSessionRow } from './upstreams.js';

const appendSessionEvent = (q: Q, type: string, s: Session, at: number): Promise<number> =>
  q.run("INSERT INTO events (at, type, session_id, account_id, actor) VALUES ($1, $2, $3, $4, 'user')", [at, type, s.id, s.accountId]);

/** The participant and code of a sign-in that answers its authorization request at once. */
const authorize = async (q: Q, s: Session, a: SignInAuthorization | undefined) => {
  if (!a) return undefined;
  const at = s.authTime;
  const participant = await upsertParticipantRow(q, { sessionId: s.id, clientId: a.clientId, sid: a.sid, firstAuthAt: at, lastAuthAt: at, lastSeenAt: at });
  await insertCodeRow(q, {
    ...a.code, clientId: a.clientId, accountId: s.accountId, sessionId: s.id, sid: participant.sid, authTime: s.authTime, acr: s.acr, amr: s.amr,
  });
  return participant;
};

const OPEN_OF_PAIR = 'SELECT * FROM sessions WHERE browser_id = $1 AND account_id = $2 AND ended_at IS NULL FOR UPDATE';

/**
 * SessionStore.recordSignIn on PostgreSQL, inside one READ COMMITTED transaction. The open session
 * of (browser, account) is read FOR UPDATE; when there is none, the insert goes through ON CONFLICT
 * on the partial unique index, and when another instance's sign-in inserted first, this one
 * re-authenticates the session that won instead of opening a second (issue 11 §1).
 */
export const recordSignIn = async (q: Q, r: SignInRecord): Promise<SignInResult | undefined> => {
  const s = r.session;
  const at = s.authTime;
  // Consumed first: a form submitted twice signs in and issues a code once.
  if (r.authorization && (await q.run('DELETE FROM interactions WHERE id = $1', [r.authorization.interactionId])) === 0) return undefined;
  await q.run(
    'INSERT INTO browsers (id, secret_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash',
    [r.browser.id, r.browser.secretHash, r.browser.createdAt],
  );
  const endings: SignInResult['endings'] = [];
  const open = await q.one(OPEN_OF_PAIR, [s.browserId, s.accountId]);
  let live: Session | undefined = open && toSession(open);
  const reason = live && expiryReason(live, at);
  if (live && reason) {
    // Expired but not yet swept: end it as the sweeper would, so the new session is the only open one.
    endings.push({ reason, sessions: await endSessions(q, { sessionId: live.id }, { reason, actor: 'system', at }) });
    live = undefined;
  }
  if (!live) {
    const inserted = await q.run(
      `${INSERT_SESSION_HEAD} ON CONFLICT (browser_id, account_id) WHERE ended_at IS NULL DO NOTHING`,
      sessionValues(s),
    );
    if (inserted === 1) {
      await appendSessionEvent(q, 'session.created', s, at);
      if (r.upstream) await upsertUpstreamSessionRow(q, { ...r.upstream, sessionId: s.id });
      if (r.maxSessionsPerAccount !== undefined) {
        const ended = await endSessions(q, { overLimitOf: s.accountId, keep: r.maxSessionsPerAccount, liveAt: at }, { reason: 'limit', actor: 'system', at, traceParent: r.traceParent });
        endings.push({ reason: 'limit', sessions: ended });
      }
      return { session: s, created: true, endings, participant: await authorize(q, s, r.authorization) };
    }
    // Another instance's sign-in for this pair committed first: its session is the one.
    live = toSession((await q.one(OPEN_OF_PAIR, [s.browserId, s.accountId])) as Row);
  }
  const updated = await q.one(
    `UPDATE sessions SET auth_time = $1, last_seen = $2, amr = $3, acr = $4, remember_me = $5, idle_expires_at = $6,
       absolute_expires_at = GREATEST(absolute_expires_at, $7), last_ip = $8, last_user_agent = $9, factors = $11 WHERE id = $10 RETURNING *`,
    [s.authTime, s.lastSeen, JSON.stringify(s.amr), s.acr, s.rememberMe, s.idleExpiresAt, s.absoluteExpiresAt, s.lastIp, s.lastUserAgent, live.id, JSON.stringify(s.factors)],
  );
  const session = toSession(updated as Row);
  await appendSessionEvent(q, r.steppedUp ? 'session.stepped_up' : 'session.reauthenticated', session, at);
  if (r.upstream) await upsertUpstreamSessionRow(q, { ...r.upstream, sessionId: session.id });
  return { session, created: false, endings, participant: await authorize(q, session, r.authorization) };
};
