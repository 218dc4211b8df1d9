import type { KeyStore, SigningKey } from '../../tokens/key-store.js';
import type { Db, Q, Row } from './db.js';
import { KEYS_CHANNEL, type OutboxNotifications, notifiedVersion } from './notifications.js';
import { opt } from './rows.js';

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

const insert = (q: Q, k: SigningKey): Promise<number> =>
  q.run(
    `INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at, activates_at, retired_at, publish_until, revoked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [k.kid, k.alg, JSON.stringify(k.privateJwk), JSON.stringify(k.publicJwk), k.createdAt, k.activatesAt ?? null, k.retiredAt ?? null,
      k.publishUntil ?? null, k.revokedAt ?? null],
  );

/** pg_advisory_xact_lock key of the first keys: instances starting together create them once. */
const FIRST_KEYS_LOCK = 0x5319_0ff2;

/** Every write to the keys tells the other instances at its commit (PostgreSQL delivers the NOTIFY then). */
const notifyKeys = (q: Q): Promise<number> => q.run(`SELECT pg_notify('${KEYS_CHANNEL}', '')`);

/**
 * KeyStore on PostgreSQL: the JWKs are JSON text columns (the private one sealed,
 * tokens/key-encryption.ts). `keysVersion` changes with this instance's own key writes and with
 * every notification on KEYS_CHANNEL, which every key write of any instance or `signoff keys`
 * sends in its transaction (notifiedVersion): undefined while the LISTEN connection is not
 * confirmed, so a notification missed then cannot leave a revoked key signing. Its cost: one more
 * connection per instance, opened on the first signature.
 */
export const postgresKeys = (db: Db, notifications: OutboxNotifications): KeyStore => {
  const version = notifiedVersion(notifications);
  /** The write and its notification in one transaction; this instance's own copy is stale at once. */
  const write = async <T>(change: (q: Q) => Promise<T>): Promise<T> => {
    const result = await db.tx(async (q) => {
      const r = await change(q);
      await notifyKeys(q);
      return r;
    });
    version.bump();
    return result;
  };
  return {
    async listKeys() {
      return (await db.all('SELECT * FROM signing_keys ORDER BY created_at DESC, kid COLLATE "C"')).map(toKey);
    },
    async keyByKid(kid) {
      const r = await db.one('SELECT * FROM signing_keys WHERE kid = $1', [kid]);
      return r && toKey(r);
    },
    async insertKey(k) {
      await write((q) => insert(q, k));
    },
    async insertFirstKeys(keys) {
      // The lock is taken before the check: a second instance waits for the first's commit and sees its keys.
      return write(async (q) => {
        await q.run('SELECT pg_advisory_xact_lock($1)', [FIRST_KEYS_LOCK]);
        const inserted: SigningKey[] = [];
        for (const k of keys) {
          if (await q.one('SELECT 1 AS found FROM signing_keys WHERE alg = $1 AND retired_at IS NULL', [k.alg])) continue;
          await insert(q, k);
          inserted.push(k);
        }
        return inserted;
      });
    },
    async retireKeys(alg, retiredAt, publishUntil) {
      return write((q) => q.run('UPDATE signing_keys SET retired_at = $1, publish_until = $2 WHERE alg = $3 AND retired_at IS NULL', [retiredAt, publishUntil, alg]));
    },
    async updateKeyPrivateJwk(kid, privateJwk) {
      return (await write((q) => q.run('UPDATE signing_keys SET private_jwk = $1 WHERE kid = $2', [JSON.stringify(privateJwk), kid]))) === 1;
    },
    async revokeKey(kid, at) {
      return (
        (await write((q) => q.run(
          `UPDATE signing_keys SET revoked_at = $1, retired_at = LEAST(COALESCE(retired_at, $1), $1), publish_until = LEAST(COALESCE(publish_until, $1), $1)
           WHERE kid = $2 AND revoked_at IS NULL`,
          [at, kid],
        ))) === 1
      );
    },
    keysVersion: version.current,
  };
};
