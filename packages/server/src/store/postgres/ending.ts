import { type EndedSession, type SessionEnding, type SessionSelector, participantsBySession } from '../../sessions/store.js';
import type { Q } from './db.js';
import { notifyOutbox } from './notifications.js';
import { toParticipant } from './session-rows.js';
import { queueSessionsRevoked } from './signals.js';

/** The WHERE condition of each session selector (over open sessions), its placeholders numbered from `n`. */
const selectorSql = (s: SessionSelector, n: number): [string, unknown[]] => {
  if ('sessionId' in s) return [`id = $${n}`, [s.sessionId]];
  if ('upstreamId' in s) {
    // Back-Channel Logout §2.7: the sid's session (only if it is the sub's, when both are given), else every session of the sub.
    const parts: [string, unknown][] = [];
    if (s.sid !== undefined) parts.push(['sid', s.sid]);
    if (s.subject !== undefined) parts.push(['subject', s.subject]);
    if (parts.length === 0) return ['false', []];
    const where = parts.map(([column], i) => `${column} = $${n + 1 + i}`).join(' AND ');
    return [`id IN (SELECT session_id FROM session_upstreams WHERE upstream_id = $${n} AND ${where})`, [s.upstreamId, ...parts.map(([, v]) => v)]];
  }
  if ('browserId' in s) return [`browser_id = $${n}`, [s.browserId]];
  if ('exceptSessionId' in s) return [`account_id = $${n} AND id <> $${n + 1}`, [s.accountId, s.exceptSessionId]];
  if ('accountId' in s) return [`account_id = $${n}`, [s.accountId]];
  // Each expired session is attributed to the limit it reached first (the idle expiry never
  // passes the absolute one; equal means the absolute lifetime cut it short).
  if ('idleExpiredBy' in s) return [`idle_expires_at <= $${n} AND idle_expires_at < absolute_expires_at`, [s.idleExpiredBy]];
  if ('absoluteExpiredBy' in s) return [`absolute_expires_at <= $${n} AND absolute_expires_at <= idle_expires_at`, [s.absoluteExpiredBy]];
  // Newest first by creation, then by insertion order (seq) within one second.
  return [
    `id IN (SELECT id FROM sessions WHERE account_id = $${n} AND ended_at IS NULL AND idle_expires_at > $${n + 1} AND absolute_expires_at > $${n + 1}
       ORDER BY created_at DESC, seq DESC OFFSET $${n + 2})`,
    [s.overLimitOf, s.liveAt, s.keep],
  ];
};

/**
 * The one ending path's transaction (Store.endSessions), run inside the caller's transaction: each
 * step is one statement over the sessions it ended (DESIGN.md habit 7). Under READ COMMITTED a
 * second instance ending the same session waits for this one's row lock, re-checks `ended_at IS
 * NULL` and skips it, so each session ends once. The outbox rows wake every instance's worker when
 * the transaction commits (NOTIFY is delivered on commit).
 */
export const endSessions = async (q: Q, selector: SessionSelector, e: SessionEnding): Promise<EndedSession[]> => {
  const [condition, values] = selectorSql(selector, 4);
  const ended = await q.all(
    `UPDATE sessions SET ended_at = $1, end_reason = $2, ended_by = $3 WHERE ${condition} AND ended_at IS NULL
     RETURNING id, browser_id, account_id`,
    [e.at, e.reason, e.actor, ...values],
  );
  // Issue 12 §1: every family of the account, offline_access ones too, whether or not a session was open.
  if (e.revokeOfflineTokens && 'accountId' in selector && !('exceptSessionId' in selector)) {
    await q.run('UPDATE token_families SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL', [e.at, selector.accountId]);
  }
  if (ended.length === 0) return [];
  const ids = ended.map((r) => r.id as string);
  // OIDC Core §11: offline_access families outlive the session; all others die with it.
  await q.run('UPDATE token_families SET revoked_at = $1 WHERE session_id = ANY($2::text[]) AND NOT offline AND revoked_at IS NULL', [e.at, ids]);
  const queued = await q.run(
    `INSERT INTO logout_deliveries (id, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at, trace_parent)
     SELECT replace(gen_random_uuid()::text, '-', ''), p.client_id, p.session_id, s.account_id, p.sid, $1, $2, 'pending', $2, $4
     FROM participants p JOIN sessions s ON s.id = p.session_id JOIN clients c ON c.client_id = p.client_id
     WHERE p.session_id = ANY($3::text[]) AND c.metadata->>'backchannel_logout_uri' IS NOT NULL`,
    [e.reason, e.at, ids, e.traceParent ?? null],
  );
  if (queued > 0) await notifyOutbox(q);
  // Issue 16 §2: CAEP session-revoked to every stream that has the account as a subject.
  if ((await queueSessionsRevoked(q, ids, e.reason, e.actor, e.at)) > 0 && e.traceParent) {
    // The SETs pushed about these sessions join the ending's trace too (issue 17 §2).
    // The rows just written are pending and due now, which the due index finds.
    await q.run(
      `UPDATE logout_deliveries SET trace_parent = $1
       WHERE status = 'pending' AND next_attempt_at = $2 AND kind = 'ssf_push' AND trace_parent IS NULL AND session_id = ANY($3::text[])`,
      [e.traceParent, e.at, ids],
    );
  }
  await q.run(
    `INSERT INTO events (at, type, session_id, account_id, reason, actor)
     SELECT $1, 'session.ended', id, account_id, $2, $3 FROM sessions WHERE id = ANY($4::text[]) ORDER BY seq`,
    [e.at, e.reason, e.actor, ids],
  );
  const participants = (
    await q.all('SELECT * FROM participants WHERE session_id = ANY($1::text[]) ORDER BY first_auth_at, client_id COLLATE "C"', [ids])
  ).map(toParticipant);
  const bySession = participantsBySession(participants);
  return ended.map((r) => ({
    id: r.id as string,
    browserId: r.browser_id as string,
    accountId: r.account_id as string,
    participants: bySession.get(r.id as string) ?? [],
  }));
};
