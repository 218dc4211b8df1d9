import type { KeyStore, SigningKey } from '../../tokens/key-store.js';
import { changeVersion } from './change-version.js';
import { type Row, type Sql, opt } from './sql.js';

const toKey = (r: Row): SigningKey => ({
  kid: r.kid as string,
  alg: r.alg as SigningKey['alg'],
  privateJwk: JSON.parse(r.private_jwk as string) as Record<string, unknown>,
  publicJwk: JSON.parse(r.public_jwk as string) as Record<string, unknown>,
  createdAt: r.created_at as number,
  activatesAt: opt<number>(r.activates_at),
  retiredAt: opt<number>(r.retired_at),
  publishUntil: opt<number>(r.publish_until),
  revokedAt: opt<number>(r.revoked_at),
});

const insert = (sql: Sql, k: SigningKey): void => {
  sql.run(
    `INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at, activates_at, retired_at, publish_until, revoked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    k.kid, k.alg, JSON.stringify(k.privateJwk), JSON.stringify(k.publicJwk), k.createdAt, k.activatesAt ?? null, k.retiredAt ?? null,
    k.publishUntil ?? null, k.revokedAt ?? null,
  );
};

/**
 * KeyStore on SQLite: the JWKs are JSON columns (the private one sealed, tokens/key-encryption.ts).
 * `keysVersion` is a change version (change-version.ts): a `signoff keys` process is seen at the
 * next signature.
 */
export const sqliteKeys = (sql: Sql): KeyStore => {
  const version = changeVersion(sql);
  const changed = <T>(result: T): T => {
    version.bump();
    return result;
  };
  return {
    async listKeys() {
      return sql.all('SELECT * FROM signing_keys ORDER BY created_at DESC, kid').map(toKey);
    },
    async keyByKid(kid) {
      const r = sql.one('SELECT * FROM signing_keys WHERE kid = ?', kid);
      return r && toKey(r);
    },
    async insertKey(k) {
      insert(sql, k);
      changed(undefined);
    },
    async insertFirstKeys(keys) {
      // Immediate: the write lock is taken before the check, so a second instance waits and sees the first's keys.
      return changed(sql.db
        .transaction(() => {
          const inserted: SigningKey[] = [];
          for (const k of keys) {
            if (sql.one('SELECT 1 AS found FROM signing_keys WHERE alg = ? AND retired_at IS NULL', k.alg)) continue;
            insert(sql, k);
            inserted.push(k);
          }
          return inserted;
        })
        .immediate());
    },
    async retireKeys(alg, retiredAt, publishUntil) {
      return changed(sql.run(
        'UPDATE signing_keys SET retired_at = ?, publish_until = ? WHERE alg = ? AND retired_at IS NULL',
        retiredAt, publishUntil, alg,
      ));
    },
    async updateKeyPrivateJwk(kid, privateJwk) {
      return changed(sql.run('UPDATE signing_keys SET private_jwk = ? WHERE kid = ?', JSON.stringify(privateJwk), kid) === 1);
    },
    async revokeKey(kid, at) {
      return changed(sql.run(
        `UPDATE signing_keys SET revoked_at = ?, retired_at = MIN(COALESCE(retired_at, ?), ?), publish_until = MIN(COALESCE(publish_until, ?), ?)
         WHERE kid = ? AND revoked_at IS NULL`,
        at, at, at, at, at, kid,
      ) === 1);
    },
    keysVersion() {
      return version.current();
    },
  };
};
