import type { ResetTokenStore } from '../../accounts/reset-store.js';
import type { Sql } from './sql.js';

/** ResetTokenStore on SQLite: each method is one synchronous transaction. */
export const sqliteResetTokens = (sql: Sql): ResetTokenStore => {
  const insert = sql.db.transaction((t: Parameters<ResetTokenStore['insertResetToken']>[0], limit: { since: number; max: number }): boolean => {
    sql.run('DELETE FROM password_reset_tokens WHERE expires_at < ?', limit.since);
    const n = sql.one('SELECT COUNT(*) AS n FROM password_reset_tokens WHERE account_id = ? AND created_at >= ?', t.accountId, limit.since)?.n as number;
    if (n >= limit.max) return false;
    sql.run('INSERT INTO password_reset_tokens (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)', t.hash, t.accountId, t.createdAt, t.expiresAt);
    return true;
  });
  const take = sql.db.transaction((hash: string, at: number): string | undefined => {
    const r = sql.one('SELECT account_id FROM password_reset_tokens WHERE token_hash = ? AND expires_at > ?', hash, at);
    if (!r) return undefined;
    sql.run('DELETE FROM password_reset_tokens WHERE account_id = ?', r.account_id);
    return r.account_id as string;
  });
  return {
    async insertResetToken(token, limit) {
      return insert.immediate(token, limit);
    },
    async takeResetToken(hash, at) {
      return take.immediate(hash, at);
    },
    async peekResetToken(hash, at) {
      return sql.one('SELECT account_id FROM password_reset_tokens WHERE token_hash = ? AND expires_at > ?', hash, at)?.account_id as string | undefined;
    },
    async accountIdsByEmail(email) {
      return sql.all("SELECT id FROM accounts WHERE deleted_at IS NULL AND json_valid(claims) AND json_extract(claims, '$.email') = ? LIMIT 2", email).map((r) => r.id as string);
    },
    async deleteExpiredResetTokens(now) {
      return sql.run('DELETE FROM password_reset_tokens WHERE expires_at < ?', now);
    },
  };
};
