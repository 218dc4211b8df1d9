import type { UpstreamSession, UpstreamStore } from '../../upstreams/store.js';
import { toUpstreamSession } from '../upstream-rows.js';
import { insertAccountRow } from './accounts.js';
import type { Db, Q } from './db.js';
import { opt } from './rows.js';

/** Inside a sign-in's transaction: the session's upstream session, replacing an earlier one. */
export const upsertUpstreamSessionRow = async (q: Q, u: UpstreamSession): Promise<void> => {
  await q.run(
    `INSERT INTO session_upstreams (session_id, upstream_id, issuer, subject, sid, id_token, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (session_id) DO UPDATE SET upstream_id = excluded.upstream_id, issuer = excluded.issuer, subject = excluded.subject,
       sid = excluded.sid, id_token = excluded.id_token, at = excluded.at`,
    [u.sessionId, u.upstreamId, u.issuer, u.subject, u.sid ?? null, JSON.stringify(u.idToken), u.at],
  );
};

/** UpstreamStore on PostgreSQL. */
export const postgresUpstreams = (db: Db): UpstreamStore => ({
  async linkedAccountId(issuer, subject) {
    return opt<string>((await db.one('SELECT account_id FROM account_links WHERE issuer = $1 AND subject = $2', [issuer, subject]))?.account_id);
  },
  async linkAccount(link, create) {
    return db.tx(async (q) => {
      if (create) await insertAccountRow(q, create);
      // Two first sign-ins at once: the link's key decides (the second waits for the first's commit).
      const inserted = await q.run(
        'INSERT INTO account_links (issuer, subject, upstream_id, account_id, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [link.issuer, link.subject, link.upstreamId, link.accountId, link.createdAt],
      );
      if (inserted === 1) return link.accountId;
      // The account made for the lost race names no one: it goes with this transaction.
      if (create) await q.run('DELETE FROM accounts WHERE id = $1', [create.id]);
      return (await q.one('SELECT account_id FROM account_links WHERE issuer = $1 AND subject = $2', [link.issuer, link.subject]))?.account_id as string;
    });
  },
  async accountsWithClaim(claim, value) {
    return (await db.all('SELECT id FROM accounts WHERE deleted_at IS NULL AND lower(claims::jsonb ->> $1) = lower($2) LIMIT 2', [claim, value])).map((r) => r.id as string);
  },
  async upstreamSessionOf(sessionId) {
    const r = await db.one('SELECT * FROM session_upstreams WHERE session_id = $1', [sessionId]);
    return r && toUpstreamSession(r);
  },
  async forgetEndedUpstreamSessions(endedBefore) {
    // Driven by session_upstreams (federated sessions only), each looked up by the sessions' key.
    return db.run('DELETE FROM session_upstreams su USING sessions s WHERE s.id = su.session_id AND s.ended_at < $1', [endedBefore]);
  },
  async rememberLogoutToken(upstreamId, jti, expiresAt, now) {
    await db.run('DELETE FROM upstream_logout_tokens WHERE expires_at <= $1', [now]);
    return (await db.run('INSERT INTO upstream_logout_tokens (upstream_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [upstreamId, jti, expiresAt])) === 1;
  },
});
