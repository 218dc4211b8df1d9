import type { AuthorizationCode, RefreshToken, TokenFamily, TokenStore } from '../../tokens/token-store.js';
import type { Db, Q, Row } from './db.js';
import { joinScope, opt, splitScope } from './rows.js';

/** Also written by the sign-in transaction (sign-in.ts). */
export const insertCodeRow = (q: Q, c: AuthorizationCode): Promise<number> =>
  q.run(
    `INSERT INTO authorization_codes (hash, client_id, account_id, session_id, sid, redirect_uri, scope, nonce, code_challenge,
      auth_time, acr, amr, expires_at, family_id, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [c.hash, c.clientId, c.accountId, c.sessionId, c.sid, c.redirectUri, joinScope(c.scope), c.nonce ?? null,
      c.codeChallenge ?? null, c.authTime, c.acr, JSON.stringify(c.amr), c.expiresAt, c.familyId ?? null, c.usedAt ?? null],
  );

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
  offline: r.offline === true,
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

/** TokenStore on PostgreSQL: codes, token families, refresh tokens (by hash) and the access-token denylist. */
export const postgresTokens = (db: Db): TokenStore => ({
  async insertCode(c) {
    await insertCodeRow(db, c);
  },
  async redeemCode(hash, now, familyId, refresh) {
    // One statement, its own transaction: one round trip where BEGIN, SELECT … FOR UPDATE,
    // UPDATE, INSERT and COMMIT took five (issue 18 P2). FOR UPDATE still serialises two
    // instances redeeming one code at once: the second waits for the first's commit, and its row
    // lock then returns the row as the first left it (used), so its UPDATE and INSERT, which
    // require the row unused, do nothing and it reports the replay.
    const r = await db.one(
      `WITH code AS (SELECT * FROM authorization_codes WHERE hash = $1 FOR UPDATE),
       used AS (UPDATE authorization_codes a SET used_at = $2, family_id = $3 FROM code WHERE a.hash = code.hash AND code.used_at IS NULL RETURNING a.hash),
       family AS (
         INSERT INTO token_families (id, client_id, account_id, session_id, offline, sid, scope, auth_time, acr, amr, created_at)
         SELECT $3, client_id, account_id, session_id, ' ' || scope || ' ' LIKE '% offline_access %', sid, scope, auth_time, acr, amr, $2
         FROM code WHERE used_at IS NULL RETURNING id),
       refresh AS (
         INSERT INTO refresh_tokens (hash, family_id, client_id, scope, created_at, expires_at)
         SELECT $4, $3, client_id, scope, $2, $5 FROM code WHERE used_at IS NULL AND $4::text IS NOT NULL)
       SELECT code.*, (SELECT count(*) FROM family) AS created FROM code`,
      [hash, now, familyId, refresh?.hash ?? null, refresh?.expiresAt ?? null],
    );
    if (!r) return undefined;
    const code = toCode(r);
    if (r.created === 1) return { code, replayed: false };
    // A replay (RFC 6749 §4.1.2) revokes what the code issued. A statement of its own: its
    // snapshot sees the family a concurrent redemption committed while this one waited for the lock.
    if (code.familyId) await db.run('UPDATE token_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, code.familyId]);
    return { code, replayed: true };
  },
  async deleteExpiredCodes(now) {
    return db.run('DELETE FROM authorization_codes WHERE expires_at <= $1', [now]);
  },
  async familyById(id) {
    const r = await db.one('SELECT * FROM token_families WHERE id = $1', [id]);
    return r && toFamily(r);
  },
  async revokeFamily(id, now) {
    await db.run('UPDATE token_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id]);
  },
  async insertRefreshToken(t) {
    await db.run(
      'INSERT INTO refresh_tokens (hash, family_id, client_id, scope, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [t.hash, t.familyId, t.clientId, joinScope(t.scope), t.createdAt, t.expiresAt, t.usedAt ?? null],
    );
  },
  async refreshTokenByHash(hash) {
    const r = await db.one('SELECT * FROM refresh_tokens WHERE hash = $1', [hash]);
    return r && toRefreshToken(r);
  },
  async refreshTokenWithFamily(hash) {
    // One round trip for both rows; row_to_json keeps the two tables' like-named columns apart.
    const r = await db.one(
      'SELECT row_to_json(t) AS token, row_to_json(f) AS family FROM refresh_tokens t LEFT JOIN token_families f ON f.id = t.family_id WHERE t.hash = $1',
      [hash],
    );
    return r && { token: toRefreshToken(r.token as Row), family: r.family ? toFamily(r.family as Row) : undefined };
  },
  async rotateRefreshToken(hash, now, t) {
    // One statement: a concurrent rotation of the same token waits for this one's row lock, then
    // finds it used, so exactly one of them stores a successor.
    const r = await db.one(
      `WITH used AS (UPDATE refresh_tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL RETURNING hash),
       next AS (
         INSERT INTO refresh_tokens (hash, family_id, client_id, scope, created_at, expires_at)
         SELECT $3, $4, $5, $6, $7, $8 FROM used)
       SELECT count(*) AS n FROM used`,
      [hash, now, t.hash, t.familyId, t.clientId, joinScope(t.scope), t.createdAt, t.expiresAt],
    );
    return r?.n === 1;
  },
  async markRefreshTokenUsed(hash, now) {
    return (await db.run('UPDATE refresh_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL', [now, hash])) === 1;
  },
  async revokeAccessToken(jti, expiresAt) {
    await db.run('INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [jti, expiresAt]);
  },
  async isAccessTokenRevoked(jti) {
    return (await db.one('SELECT 1 AS x FROM revoked_access_tokens WHERE jti = $1', [jti])) !== undefined;
  },
});
