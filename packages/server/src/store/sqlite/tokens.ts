import type { AuthorizationCode, RefreshToken, TokenFamily, TokenStore } from '../../tokens/token-store.js';
import { type Row, type Sql, joinScope, opt, splitScope } from './sql.js';

/** Also written by the sign-in transaction (sign-in.ts). */
export const insertCodeRow = (sql: Sql, c: AuthorizationCode): void => {
  sql.run(
    `INSERT INTO authorization_codes (hash, client_id, account_id, session_id, sid, redirect_uri, scope, nonce, code_challenge,
      auth_time, acr, amr, expires_at, family_id, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    c.hash, c.clientId, c.accountId, c.sessionId, c.sid, c.redirectUri, joinScope(c.scope), c.nonce ?? null,
    c.codeChallenge ?? null, c.authTime, c.acr, JSON.stringify(c.amr), c.expiresAt, c.familyId ?? null, c.usedAt ?? null,
  );
};

const toCode = (r: Row): AuthorizationCode => ({
  hash: r.hash as string,
  clientId: r.client_id as string,
  accountId: r.account_id as string,
  sessionId: r.session_id as string,
  sid: r.sid as string,
  redirectUri: r.redirect_uri as string,
  scope: splitScope(r.scope),
  nonce: opt<string>(r.nonce),
  codeChallenge: opt<string>(r.code_challenge),
  authTime: r.auth_time as number,
  acr: r.acr as string,
  amr: JSON.parse(r.amr as string) as string[],
  expiresAt: r.expires_at as number,
  familyId: opt<string>(r.family_id),
  usedAt: opt<number>(r.used_at),
});

const toFamily = (r: Row): TokenFamily => ({
  id: r.id as string,
  clientId: r.client_id as string,
  accountId: r.account_id as string,
  sessionId: r.session_id as string,
  offline: r.offline === 1,
  sid: r.sid as string,
  scope: splitScope(r.scope),
  authTime: r.auth_time as number,
  acr: r.acr as string,
  amr: JSON.parse(r.amr as string) as string[],
  createdAt: r.created_at as number,
  revokedAt: opt<number>(r.revoked_at),
});

const toRefreshToken = (r: Row): RefreshToken => ({
  hash: r.hash as string,
  familyId: r.family_id as string,
  clientId: r.client_id as string,
  scope: splitScope(r.scope),
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
  usedAt: opt<number>(r.used_at),
});

const insertRefresh = (sql: Sql, t: RefreshToken): void => {
  sql.run(
    'INSERT INTO refresh_tokens (hash, family_id, client_id, scope, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    t.hash, t.familyId, t.clientId, joinScope(t.scope), t.createdAt, t.expiresAt, t.usedAt ?? null,
  );
};

/** TokenStore on SQLite: codes, token families, refresh tokens (by hash) and the access-token denylist. */
export const sqliteTokens = (sql: Sql): TokenStore => ({
  async insertCode(c) {
    insertCodeRow(sql, c);
  },
  async redeemCode(hash, now, familyId, refresh) {
    return sql.db
      .transaction(() => {
        const r = sql.one('SELECT * FROM authorization_codes WHERE hash = ?', hash);
        if (!r) return undefined;
        const code = toCode(r);
        if (code.usedAt !== undefined) {
          if (code.familyId) sql.run('UPDATE token_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', now, code.familyId);
          return { code, replayed: true };
        }
        sql.run('UPDATE authorization_codes SET used_at = ?, family_id = ? WHERE hash = ?', now, familyId, hash);
        sql.run(
          `INSERT INTO token_families (id, client_id, account_id, session_id, offline, sid, scope, auth_time, acr, amr, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          familyId, code.clientId, code.accountId, code.sessionId, code.scope.includes('offline_access') ? 1 : 0, code.sid,
          joinScope(code.scope), code.authTime, code.acr, JSON.stringify(code.amr), now,
        );
        if (refresh) insertRefresh(sql, { hash: refresh.hash, familyId, clientId: code.clientId, scope: code.scope, createdAt: now, expiresAt: refresh.expiresAt });
        return { code, replayed: false };
      })
      .immediate();
  },
  async deleteExpiredCodes(now) {
    return sql.run('DELETE FROM authorization_codes WHERE expires_at <= ?', now);
  },
  async familyById(id) {
    const r = sql.one('SELECT * FROM token_families WHERE id = ?', id);
    return r && toFamily(r);
  },
  async revokeFamily(id, now) {
    sql.run('UPDATE token_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', now, id);
  },
  async insertRefreshToken(t) {
    insertRefresh(sql, t);
  },
  async refreshTokenByHash(hash) {
    const r = sql.one('SELECT * FROM refresh_tokens WHERE hash = ?', hash);
    return r && toRefreshToken(r);
  },
  async refreshTokenWithFamily(hash) {
    const r = sql.one('SELECT * FROM refresh_tokens WHERE hash = ?', hash);
    if (!r) return undefined;
    const f = sql.one('SELECT * FROM token_families WHERE id = ?', r.family_id);
    return { token: toRefreshToken(r), family: f && toFamily(f) };
  },
  async rotateRefreshToken(hash, now, next) {
    // One transaction, one commit, where the use and the successor were two.
    return sql.db
      .transaction(() => {
        if (sql.run('UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL', now, hash) !== 1) return false;
        insertRefresh(sql, next);
        return true;
      })
      .immediate();
  },
  async markRefreshTokenUsed(hash, now) {
    return sql.run('UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL', now, hash) === 1;
  },
  async revokeAccessToken(jti, expiresAt) {
    sql.run('INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?)', jti, expiresAt);
  },
  async isAccessTokenRevoked(jti) {
    return sql.one('SELECT 1 AS x FROM revoked_access_tokens WHERE jti = ?', jti) !== undefined;
  },
});
