import { type EndedSession, type SessionEnding, type SessionSelector, participantsBySession } from '../../sessions/store.js';
import { toParticipant } from './session-rows.js';
import { queueSessionsRevoked } from './signals.js';
import type { Sql } from './sql.js';

/** Back-Channel Logout §2.7: the sid's session (when the sub is given too, only if it is the sub's), else every session of the sub. */
const upstreamCondition = (s: { sid?: string | undefined; subject?: string | undefined }): [string, unknown[]] => {
  const parts: [string, unknown][] = [];
  if (s.sid !== undefined) parts.push(['sid = ?', s.sid]);
  if (s.subject !== undefined) parts.push(['subject = ?', s.subject]);
  // Neither: nothing (the logout token was refused before this; the selector never means "all").
  if (parts.length === 0) return ['0', []];
  return [parts.map(([c]) => c).join(' AND '), parts.map(([, v]) => v)];
};

/** The WHERE condition of each session selector (over open sessions) and its values. */
const selectorSql = (s: SessionSelector): [string, unknown[]] => {
  if ('sessionId' in s) return ['id = ?', [s.sessionId]];
  if ('upstreamId' in s) {
    const [where, values] = upstreamCondition(s);
    return [`id IN (SELECT session_id FROM session_upstreams WHERE upstream_id = ? AND ${where})`, [s.upstreamId, ...values]];
  }
  if ('browserId' in s) return ['browser_id = ?', [s.browserId]];
  if ('exceptSessionId' in s) return ['account_id = ? AND id <> ?', [s.accountId, s.exceptSessionId]];
  if ('accountId' in s) return ['account_id = ?', [s.accountId]];
  // Each expired session is attributed to the limit it reached first (the idle expiry never
  // passes the absolute one; equal means the absolute lifetime cut it short).
  if ('idleExpiredBy' in s) return ['idle_expires_at <= ? AND idle_expires_at < absolute_expires_at', [s.idleExpiredBy]];
  if ('absoluteExpiredBy' in s) return ['absolute_expires_at <= ? AND absolute_expires_at <= idle_expires_at', [s.absoluteExpiredBy]];
  // Newest first by creation, then by insertion order (rowid) within one second.
  return [
    `id IN (SELECT id FROM sessions WHERE account_id = ? AND ended_at IS NULL AND idle_expires_at > ? AND absolute_expires_at > ?
       ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
    [s.overLimitOf, s.liveAt, s.liveAt, s.keep],
  ];
};

/**
 * The one ending path's transaction (Store.endSessions): each step is one statement over the
 * sessions it ended (DESIGN.md habit 7), all in one immediate transaction.
 */
export const endSessions = (sql: Sql, selector: SessionSelector, e: SessionEnding): EndedSession[] => {
  const [condition, values] = selectorSql(selector);
  return sql.db
    .transaction(() => {
      const ended = sql.all(
        `UPDATE sessions SET ended_at = ?, end_reason = ?, ended_by = ? WHERE ${condition} AND ended_at IS NULL
         RETURNING id, browser_id, account_id`,
        e.at, e.reason, e.actor, ...values,
      );
      // Issue 12 §1: every family of the account, offline_access ones too, whether or not a session was open.
      if (e.revokeOfflineTokens && 'accountId' in selector && !('exceptSessionId' in selector)) {
        sql.run('UPDATE token_families SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL', e.at, selector.accountId);
      }
      if (ended.length === 0) return [];
      const ids = JSON.stringify(ended.map((r) => r.id));
      const inEnded = 'IN (SELECT value FROM json_each(?))';
      // OIDC Core §11: offline_access families outlive the session; all others die with it.
      sql.run(`UPDATE token_families SET revoked_at = ? WHERE session_id ${inEnded} AND offline = 0 AND revoked_at IS NULL`, e.at, ids);
      sql.run(
        `INSERT INTO logout_deliveries (id, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at, trace_parent)
         SELECT lower(hex(randomblob(16))), p.client_id, p.session_id, s.account_id, p.sid, ?, ?, 'pending', ?, ?
         FROM participants p JOIN sessions s ON s.id = p.session_id JOIN clients c ON c.client_id = p.client_id
         WHERE p.session_id ${inEnded} AND json_extract(c.metadata, '$.backchannel_logout_uri') IS NOT NULL`,
        e.reason, e.at, e.at, e.traceParent ?? null, ids,
      );
      // Issue 16 §2: CAEP session-revoked to every stream that has the account as a subject.
      queueSessionsRevoked(sql, ids, e.reason, e.actor, e.at, e.traceParent ?? null);
      sql.run(
        `INSERT INTO events (at, type, session_id, account_id, reason, actor)
         SELECT ?, 'session.ended', id, account_id, ?, ? FROM sessions WHERE id ${inEnded}`,
        e.at, e.reason, e.actor, ids,
      );
      const participants = sql.all(`SELECT * FROM participants WHERE session_id ${inEnded} ORDER BY first_auth_at, client_id`, ids).map(toParticipant);
      const bySession = participantsBySession(participants);
      return ended.map((r) => ({
        id: r.id as string,
        browserId: r.browser_id as string,
        accountId: r.account_id as string,
        participants: bySession.get(r.id as string) ?? [],
      }));
    })
    .immediate();
};
