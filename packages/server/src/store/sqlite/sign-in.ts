import { expiryReason } from '../../sessions/browser.js';
import type { EndedSession, Session, SignInAuthorization, SignInRecord, SignInResult } from '../../sessions/store.js';
import { endSessions } from './ending.js';
import { toSession, upsertParticipantRow } from './session-rows.js';
import type { Sql } from './sql.js';
import { insertCodeRow } from './tokens.js';
import { upsertUpstreamSessionRow } from './upstreams.js';

export const insertSessionRow = (sql: Sql, s: Session): void => {
  sql.run(
    `INSERT INTO sessions (id, browser_id, account_id, created_at, auth_time, last_seen, idle_expires_at, absolute_expires_at,
      amr, acr, remember_me, created_ip, created_user_agent, last_ip, last_user_agent, ended_at, end_reason, factors)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    s.id, s.browserId, s.accountId, s.createdAt, s.authTime, s.lastSeen, s.idleExpiresAt, s.absoluteExpiresAt,
    JSON.stringify(s.amr), s.acr, s.rememberMe ? 1 : 0, s.createdIp, s.createdUserAgent, s.lastIp, s.lastUserAgent,
    s.endedAt ?? null, s.endReason ?? null, JSON.stringify(s.factors),
  );
};

const appendSessionEvent = (sql: Sql, type: string, s: Session, at: number): void => {
  sql.run("INSERT INTO events (at, type, session_id, account_id, actor) VALUES (?, ?, ?, ?, 'user')", at, type, s.id, s.accountId);
};

/** The participant and code of a sign-in that answers its authorization request at once. */
const authorize = (sql: Sql, s: Session, a: SignInAuthorization | undefined) => {
  if (!a) return undefined;
  const at = s.authTime;
  const participant = upsertParticipantRow(sql, { sessionId: s.id, clientId: a.clientId, sid: a.sid, firstAuthAt: at, lastAuthAt: at, lastSeenAt: at });
  insertCodeRow(sql, {
    ...a.code, clientId: a.clientId, accountId: s.accountId, sessionId: s.id, sid: participant.sid, authTime: s.authTime, acr: s.acr, amr: s.amr,
  });
  return participant;
};

/**
 * SessionStore.recordSignIn on SQLite: one immediate transaction, so a second instance's sign-in
 * for the same (browser, account) waits for this one and then finds its session open and live.
 * The ending path's transaction runs nested (a savepoint) inside it.
 */
export const recordSignIn = (sql: Sql, r: SignInRecord): SignInResult | undefined =>
  sql.db
    .transaction((): SignInResult | undefined => {
      const s = r.session;
      const at = s.authTime;
      // Consumed first: a form submitted twice signs in and issues a code once.
      if (r.authorization && sql.run('DELETE FROM interactions WHERE id = ?', r.authorization.interactionId) === 0) return undefined;
      sql.run(
        'INSERT INTO browsers (id, secret_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash',
        r.browser.id, r.browser.secretHash, r.browser.createdAt,
      );
      const endings: SignInResult['endings'] = [];
      const open = sql.one('SELECT * FROM sessions WHERE browser_id = ? AND account_id = ? AND ended_at IS NULL', s.browserId, s.accountId);
      let live = open && toSession(open);
      const reason = live && expiryReason(live, at);
      if (live && reason) {
        // Expired but not yet swept: end it as the sweeper would, so the new session is the only open one.
        endings.push({ reason, sessions: endSessions(sql, { sessionId: live.id }, { reason, actor: 'system', at }) });
        live = undefined;
      }
      if (live) {
        sql.run(
          `UPDATE sessions SET auth_time = ?, last_seen = ?, amr = ?, acr = ?, factors = ?, remember_me = ?, idle_expires_at = ?,
             absolute_expires_at = MAX(absolute_expires_at, ?), last_ip = ?, last_user_agent = ? WHERE id = ?`,
          s.authTime, s.lastSeen, JSON.stringify(s.amr), s.acr, JSON.stringify(s.factors), s.rememberMe ? 1 : 0, s.idleExpiresAt, s.absoluteExpiresAt,
          s.lastIp, s.lastUserAgent, live.id,
        );
        const session = toSession(sql.one('SELECT * FROM sessions WHERE id = ?', live.id) ?? {});
        appendSessionEvent(sql, r.steppedUp ? 'session.stepped_up' : 'session.reauthenticated', session, at);
        if (r.upstream) upsertUpstreamSessionRow(sql, { ...r.upstream, sessionId: session.id });
        return { session, created: false, endings, participant: authorize(sql, session, r.authorization) };
      }
      insertSessionRow(sql, s);
      appendSessionEvent(sql, 'session.created', s, at);
      if (r.upstream) upsertUpstreamSessionRow(sql, { ...r.upstream, sessionId: s.id });
      if (r.maxSessionsPerAccount !== undefined) {
        const ended: EndedSession[] = endSessions(
          sql,
          { overLimitOf: s.accountId, keep: r.maxSessionsPerAccount, liveAt: at },
          { reason: 'limit', actor: 'system', at, traceParent: r.traceParent },
        );
        endings.push({ reason: 'limit', sessions: ended });
      }
      return { session: s, created: true, endings, participant: authorize(sql, s, r.authorization) };
    })
    .immediate();
