import { SSF_EVENT_URIS } from '../../signals/events.js';
import { POLL, PUSH } from '../../signals/store.js';
import type { EndedSession, SessionEnding, SessionSelector } from '../../sessions/store.js';
import type { Q, Row } from './db.js';
import { OUTBOX_CHANNEL } from './notifications.js';
import { toParticipant } from './session-rows.js';
import { signalInserts } from './signals.js';

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

/** Whether an ending also revokes the account's offline_access families (issue 12 §1): its one statement more. */
export const revokesOfflineTokens = (selector: SessionSelector, e: SessionEnding): selector is SessionSelector & { accountId: string } =>
  e.revokeOfflineTokens === true && 'accountId' in selector && !('exceptSessionId' in selector);

/** Issue 16 §2: the CAEP session-revoked event of each ended session (alias s), to every stream that has the account as a subject. */
const SESSION_REVOKED = signalInserts(
  'ended s',
  "json_build_object('type', 'session-revoked', 'accountId', s.account_id, 'sessionId', s.id, 'reason', $2::text, 'actor', $3::text, 'at', $1::double precision)::text",
  's.id',
  { type: '$5', at: '$1', uri: '$6', push: '$7', poll: '$8', traceParent: '$4' },
);

/**
 * The one ending path (Store.endSessions) as one statement (issue 18 P4: it was eight round trips
 * in a transaction): the sessions UPDATE, and over the sessions it ended (DESIGN.md habit 7)
 * the token families, the back-channel outbox rows, the Shared Signals events and the audit
 * events, each a data-modifying CTE, which PostgreSQL runs once and to completion in the
 * statement's one atomic step; the ended sessions come back with their participants. Run on
 * the pool it is its own transaction; inside a caller's transaction (a password change, a
 * sign-in's limit) it is one statement of it. With `revokeOfflineTokens` one more statement
 * comes first, which is why the store runs that case in a transaction (sessions.ts).
 *
 * Under READ COMMITTED a second instance ending the same session waits for this one's row lock,
 * re-checks `ended_at IS NULL` and skips it, so each session ends once. The outbox rows (the
 * ending's traceparent on each, issue 17 §2) wake every instance's worker when the statement
 * commits (NOTIFY is delivered on commit).
 */
export const endSessions = async (q: Q, selector: SessionSelector, e: SessionEnding): Promise<EndedSession[]> => {
  // Issue 12 §1: every family of the account, offline_access ones too, whether or not a session was open.
  if (revokesOfflineTokens(selector, e)) {
    await q.run('UPDATE token_families SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL', [e.at, selector.accountId]);
  }
  const [condition, values] = selectorSql(selector, 9);
  const ended = await q.all(
    `WITH ended AS (
       UPDATE sessions SET ended_at = $1, end_reason = $2, ended_by = $3 WHERE ${condition} AND ended_at IS NULL
       RETURNING id, browser_id, account_id, seq),
     families AS (
       -- OIDC Core §11: offline_access families outlive the session; all others die with it.
       UPDATE token_families SET revoked_at = $1 WHERE session_id IN (SELECT id FROM ended) AND NOT offline AND revoked_at IS NULL),
     parts AS (SELECT * FROM participants WHERE session_id IN (SELECT id FROM ended)),
     queued AS (
       INSERT INTO logout_deliveries (id, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at, trace_parent)
       SELECT replace(gen_random_uuid()::text, '-', ''), p.client_id, p.session_id, s.account_id, p.sid, $2, $1, 'pending', $1, $4
       FROM parts p JOIN ended s ON s.id = p.session_id JOIN clients c ON c.client_id = p.client_id
       WHERE c.metadata->>'backchannel_logout_uri' IS NOT NULL
       RETURNING 1),
     pushed AS (${SESSION_REVOKED.push} RETURNING 1),
     polled AS (${SESSION_REVOKED.poll}),
     logged AS (
       INSERT INTO events (at, type, session_id, account_id, reason, actor)
       SELECT $1, 'session.ended', id, account_id, $2, $3 FROM ended ORDER BY seq),
     -- The participants grouped once and joined: a subquery per ended session scanned every
     -- participant again for each (10,000 sessions: 10^8 comparisons, seconds; bench P7).
     by_session AS (
       SELECT p.session_id, json_agg(p ORDER BY p.first_auth_at, p.client_id COLLATE "C") AS list FROM parts p GROUP BY p.session_id)
     SELECT e.id, e.browser_id, e.account_id, COALESCE(b.list, '[]') AS participants,
       CASE WHEN EXISTS (SELECT 1 FROM queued) OR EXISTS (SELECT 1 FROM pushed) THEN pg_notify('${OUTBOX_CHANNEL}', '') END AS notified
     FROM ended e LEFT JOIN by_session b ON b.session_id = e.id ORDER BY e.seq`,
    [e.at, e.reason, e.actor, e.traceParent ?? null, 'session-revoked', SSF_EVENT_URIS['session-revoked'], PUSH, POLL, ...values],
  );
  return ended.map((r) => ({
    id: r.id as string,
    browserId: r.browser_id as string,
    accountId: r.account_id as string,
    participants: (r.participants as Row[]).map(toParticipant),
  }));
};
