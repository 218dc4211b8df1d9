import type { ResetTokenStore } from '../../accounts/reset-store.js';
import type { Db } from './db.js';

/** ResetTokenStore on PostgreSQL: the throttle check and the insert, and the take, are each one transaction. */
export const postgresResetTokens = (db: Db): ResetTokenStore => ({
  insertResetToken: (t, limit) =>
    db.tx(async (q) => {
      // The account's row lock serialises concurrent requests for one account across instances.
      await q.one('SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [t.accountId]);
      await q.run('DELETE FROM password_reset_tokens WHERE expires_at < $1', [limit.since]);
      const n = Number((await q.one('SELECT COUNT(*) AS n FROM password_reset_tokens WHERE account_id = $1 AND created_at >= $2', [t.accountId, limit.since]))?.n ?? 0);
      if (n >= limit.max) return false;
      await q.run('INSERT INTO password_reset_tokens (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [t.hash, t.accountId, t.createdAt, t.expiresAt]);
      return true;
    }),
  takeResetToken: (hash, at) =>
    db.tx(async (q) => {
      const r = await q.one('DELETE FROM password_reset_tokens WHERE token_hash = $1 RETURNING account_id, expires_at', [hash]);
      if (!r || (r.expires_at as number) <= at) return undefined;
      await q.run('DELETE FROM password_reset_tokens WHERE account_id = $1', [r.account_id]);
      return r.account_id as string;
    }),
  peekResetToken: async (hash, at) => (await db.one('SELECT account_id FROM password_reset_tokens WHERE token_hash = $1 AND expires_at > $2', [hash, at]))?.account_id as string | undefined,
  accountIdsByEmail: async (email) =>
    (await db.all("SELECT id FROM accounts WHERE deleted_at IS NULL AND claims::jsonb ->> 'email' = $1 LIMIT 2", [email])).map((r) => r.id as string),
  deleteExpiredResetTokens: (now) => db.run('DELETE FROM password_reset_tokens WHERE expires_at < $1', [now]),
});
