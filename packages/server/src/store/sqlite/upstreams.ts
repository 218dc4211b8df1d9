import type { UpstreamSession, UpstreamStore } from '../../upstreams/store.js';
import { toUpstreamSession } from '../upstream-rows.js';
import { insertAccountRow } from './accounts.js';
import { type Sql, opt } from './sql.js';

/** Inside a sign-in's transaction: the session's upstream session, replacing an earlier one. */
export const upsertUpstreamSessionRow = (sql: Sql, u: UpstreamSession): void => {
  sql.run(
    `INSERT INTO session_upstreams (session_id, upstream_id, issuer, subject, sid, id_token, at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (session_id) DO UPDATE SET upstream_id = excluded.upstream_id, issuer = excluded.issuer, subject = excluded.subject,
       sid = excluded.sid, id_token = excluded.id_token, at = excluded.at`,
    u.sessionId, u.upstreamId, u.issuer, u.subject, u.sid ?? null, JSON.stringify(u.idToken), u.at,
  );
};

/** UpstreamStore on SQLite. */
export const sqliteUpstreams = (sql: Sql): UpstreamStore => ({
  async linkedAccountId(issuer, subject) {
    return opt<string>(sql.one('SELECT account_id FROM account_links WHERE issuer = ? AND subject = ?', issuer, subject)?.account_id);
  },
  async linkAccount(link, create) {
    return sql.db
      .transaction((): string => {
        const linked = sql.one('SELECT account_id FROM account_links WHERE issuer = ? AND subject = ?', link.issuer, link.subject);
        if (linked) return linked.account_id as string;
        if (create) insertAccountRow(sql, create);
        sql.run(
          'INSERT INTO account_links (issuer, subject, upstream_id, account_id, created_at) VALUES (?, ?, ?, ?, ?)',
          link.issuer, link.subject, link.upstreamId, link.accountId, link.createdAt,
        );
        return link.accountId;
      })
      .immediate();
  },
  async accountsWithClaim(claim, value) {
    return sql
      .all(`SELECT id FROM accounts WHERE deleted_at IS NULL AND lower(json_extract(claims, '$.' || ?)) = lower(?) LIMIT 2`, claim, value)
      .map((r) => r.id as string);
  },
  async upstreamSessionOf(sessionId) {
    const r = sql.one('SELECT * FROM session_upstreams WHERE session_id = ?', sessionId);
    return r && toUpstreamSession(r);
  },
  async forgetEndedUpstreamSessions(endedBefore) {
    // Driven by session_upstreams (federated sessions only), each looked up by the sessions' key.
    return sql.run(
      'DELETE FROM session_upstreams WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.id = session_upstreams.session_id AND s.ended_at < ?)',
      endedBefore,
    );
  },
  async rememberLogoutToken(upstreamId, jti, expiresAt, now) {
    return sql.db
      .transaction((): boolean => {
        sql.run('DELETE FROM upstream_logout_tokens WHERE expires_at <= ?', now);
        return sql.run('INSERT INTO upstream_logout_tokens (upstream_id, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', upstreamId, jti, expiresAt) === 1;
      })
      .immediate();
  },
});
