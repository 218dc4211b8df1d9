import type { FactorStore } from '../../accounts/factors/store.js';
import { factorData, toChallenge, toFactor } from '../factor-rows.js';
import { factorSignal } from '../../signals/account-events.js';
import type { Db } from './db.js';
import { queueAccountSignal } from './signals.js';

/** The passkey's stored signature counter, inside the JSON text of `data`. */
const COUNTER = "(data::jsonb ->> 'counter')::bigint";

/**
 * FactorStore on PostgreSQL. The conditional UPDATEs (a TOTP step, a passkey counter, a recovery
 * code) are single statements: under READ COMMITTED a concurrent one waits for the row and
 * re-checks its condition on the updated row, so of two uses of one code only one succeeds.
 */
export const postgresFactors = (db: Db): FactorStore => ({
  async insertFactor(f) {
    await db.tx(async (q) => {
    await q.run(
      `INSERT INTO account_factors (id, account_id, kind, label, credential_id, data, created_at, confirmed_at, last_used_at, last_used_step)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        f.id, f.accountId, f.kind, f.label, f.kind === 'passkey' ? f.credentialId : null, JSON.stringify(factorData(f)),
        f.createdAt, f.confirmedAt ?? null, f.lastUsedAt ?? null, f.kind === 'totp' ? (f.lastUsedStep ?? null) : null,
      ],
    );
    // Issue 16 §2: a factor usable from the start (a passkey) is a credential created now.
    if (f.confirmedAt !== undefined) await queueAccountSignal(q, f.accountId, factorSignal(f.kind, JSON.stringify(factorData(f)), 'create'), f.confirmedAt);
    });
  },
  async factorsOf(accountId) {
    return (await db.all('SELECT * FROM account_factors WHERE account_id = $1 ORDER BY created_at, id COLLATE "C"', [accountId])).map(toFactor);
  },
  async factorOf(accountId, id) {
    const r = await db.one('SELECT * FROM account_factors WHERE account_id = $1 AND id = $2', [accountId, id]);
    return r && toFactor(r);
  },
  async factorByCredentialId(credentialId) {
    const r = await db.one("SELECT * FROM account_factors WHERE credential_id = $1 AND kind = 'passkey'", [credentialId]);
    const f = r && toFactor(r);
    return f?.kind === 'passkey' ? f : undefined;
  },
  async confirmFactor(accountId, id, at) {
    return db.tx(async (q) => {
      const row = await q.one('UPDATE account_factors SET confirmed_at = $3 WHERE account_id = $1 AND id = $2 AND confirmed_at IS NULL RETURNING kind, data', [accountId, id, at]);
      if (row) await queueAccountSignal(q, accountId, factorSignal(row.kind as string, row.data as string, 'create'), at);
      return row !== undefined;
    });
  },
  async useTotpStep(id, step, at) {
    return (await db.run(
      "UPDATE account_factors SET last_used_step = $2, last_used_at = $3 WHERE id = $1 AND kind = 'totp' AND (last_used_step IS NULL OR last_used_step < $2)",
      [id, step, at],
    )) === 1;
  },
  async usePasskey(id, counter, at) {
    return (await db.run(
      `UPDATE account_factors SET data = jsonb_set(data::jsonb, '{counter}', to_jsonb($2::bigint))::text, last_used_at = $3
       WHERE id = $1 AND kind = 'passkey' AND ($2::bigint > ${COUNTER} OR ($2::bigint = 0 AND ${COUNTER} = 0))`,
      [id, counter, at],
    )) === 1;
  },
  async deleteFactor(accountId, id, at) {
    return db.tx(async (q) => {
      const row = await q.one('DELETE FROM account_factors WHERE account_id = $1 AND id = $2 RETURNING kind, data, confirmed_at', [accountId, id]);
      // Removing an enrolment never confirmed changes no credential.
      if (row && row.confirmed_at !== null) await queueAccountSignal(q, accountId, factorSignal(row.kind as string, row.data as string, 'delete'), at);
      return row !== undefined;
    });
  },
  async deleteUnconfirmedFactors(before) {
    return db.run('DELETE FROM account_factors WHERE confirmed_at IS NULL AND created_at < $1', [before]);
  },
  async replaceRecoveryCodes(accountId, hashes, at) {
    await db.tx(async (q) => {
      await q.run('DELETE FROM recovery_codes WHERE account_id = $1', [accountId]);
      if (hashes.length > 0) {
        await q.run('INSERT INTO recovery_codes (account_id, code_hash, created_at) SELECT $1, h, $3 FROM unnest($2::text[]) AS h', [accountId, hashes, at]);
      }
    });
  },
  async useRecoveryCode(accountId, hash, at) {
    return (await db.run('UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL', [accountId, hash, at])) === 1;
  },
  async recoveryCodesLeft(accountId) {
    return (await db.one('SELECT COUNT(*) AS n FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL', [accountId]))?.n as number;
  },
  async insertChallenge(c) {
    await db.run(`INSERT INTO webauthn_challenges (id, challenge, account_id, purpose, expires_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (id) DO UPDATE SET challenge = excluded.challenge, account_id = excluded.account_id, purpose = excluded.purpose, expires_at = excluded.expires_at`,
      [c.id, c.challenge, c.accountId ?? null, c.purpose, c.expiresAt]);
  },
  async takeChallenge(id, now) {
    // Deleted whether or not it has expired: either way it is never good again.
    const r = await db.one('DELETE FROM webauthn_challenges WHERE id = $1 RETURNING *', [id]);
    return r && (r.expires_at as number) > now ? toChallenge(r) : undefined;
  },
  async deleteExpiredChallenges(now) {
    return db.run('DELETE FROM webauthn_challenges WHERE expires_at <= $1', [now]);
  },
});
