import type { FactorStore } from '../../accounts/factors/store.js';
import { factorData, toChallenge, toFactor } from '../factor-rows.js';
import { factorSignal } from '../../signals/account-events.js';
import { queueAccountSignal } from './signals.js';
import type { Sql } from './sql.js';

/** FactorStore on SQLite: a factor's kind-specific fields are the JSON `data` column. */
export const sqliteFactors = (sql: Sql): FactorStore => ({
  async insertFactor(f) {
    sql.db.transaction(() => {
    sql.run(
      `INSERT INTO account_factors (id, account_id, kind, label, credential_id, data, created_at, confirmed_at, last_used_at, last_used_step)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      f.id, f.accountId, f.kind, f.label, f.kind === 'passkey' ? f.credentialId : null, JSON.stringify(factorData(f)),
      f.createdAt, f.confirmedAt ?? null, f.lastUsedAt ?? null, f.kind === 'totp' ? (f.lastUsedStep ?? null) : null,
    );
    // Issue 16 §2: a factor usable from the start (a passkey) is a credential created now.
    if (f.confirmedAt !== undefined) queueAccountSignal(sql, f.accountId, factorSignal(f.kind, JSON.stringify(factorData(f)), 'create'), f.confirmedAt);
    }).immediate();
  },
  async factorsOf(accountId) {
    return sql.all('SELECT * FROM account_factors WHERE account_id = ? ORDER BY created_at, id', accountId).map(toFactor);
  },
  async factorOf(accountId, id) {
    const r = sql.one('SELECT * FROM account_factors WHERE account_id = ? AND id = ?', accountId, id);
    return r && toFactor(r);
  },
  async factorByCredentialId(credentialId) {
    const r = sql.one("SELECT * FROM account_factors WHERE credential_id = ? AND kind = 'passkey'", credentialId);
    const f = r && toFactor(r);
    return f?.kind === 'passkey' ? f : undefined;
  },
  async confirmFactor(accountId, id, at) {
    return sql.db
      .transaction(() => {
        const row = sql.one('UPDATE account_factors SET confirmed_at = ? WHERE account_id = ? AND id = ? AND confirmed_at IS NULL RETURNING kind, data', at, accountId, id);
        if (row) queueAccountSignal(sql, accountId, factorSignal(row.kind as string, row.data as string, 'create'), at);
        return row !== undefined;
      })
      .immediate();
  },
  async useTotpStep(id, step, at) {
    return sql.run(
      "UPDATE account_factors SET last_used_step = ?, last_used_at = ? WHERE id = ? AND kind = 'totp' AND (last_used_step IS NULL OR last_used_step < ?)",
      step, at, id, step,
    ) === 1;
  },
  async usePasskey(id, counter, at) {
    return sql.run(
      `UPDATE account_factors SET data = json_set(data, '$.counter', ?), last_used_at = ?
       WHERE id = ? AND kind = 'passkey' AND (? > json_extract(data, '$.counter') OR (? = 0 AND json_extract(data, '$.counter') = 0))`,
      counter, at, id, counter, counter,
    ) === 1;
  },
  async deleteFactor(accountId, id, at) {
    return sql.db
      .transaction(() => {
        const row = sql.one('DELETE FROM account_factors WHERE account_id = ? AND id = ? RETURNING kind, data, confirmed_at', accountId, id);
        // Removing an enrolment never confirmed changes no credential.
        if (row && row.confirmed_at !== null) queueAccountSignal(sql, accountId, factorSignal(row.kind as string, row.data as string, 'delete'), at);
        return row !== undefined;
      })
      .immediate();
  },
  async deleteUnconfirmedFactors(before) {
    return sql.run('DELETE FROM account_factors WHERE confirmed_at IS NULL AND created_at < ?', before);
  },
  async replaceRecoveryCodes(accountId, hashes, at) {
    sql.db
      .transaction(() => {
        sql.run('DELETE FROM recovery_codes WHERE account_id = ?', accountId);
        for (const h of hashes) sql.run('INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES (?, ?, ?)', accountId, h, at);
      })
      .immediate();
  },
  async useRecoveryCode(accountId, hash, at) {
    return sql.run('UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL', at, accountId, hash) === 1;
  },
  async recoveryCodesLeft(accountId) {
    return sql.one('SELECT COUNT(*) AS n FROM recovery_codes WHERE account_id = ? AND used_at IS NULL', accountId)?.n as number;
  },
  async insertChallenge(c) {
    sql.run(`INSERT INTO webauthn_challenges (id, challenge, account_id, purpose, expires_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET challenge = excluded.challenge, account_id = excluded.account_id, purpose = excluded.purpose, expires_at = excluded.expires_at`,
      c.id, c.challenge, c.accountId ?? null, c.purpose, c.expiresAt);
  },
  async takeChallenge(id, now) {
    // Deleted whether or not it has expired: either way it is never good again.
    const r = sql.one('DELETE FROM webauthn_challenges WHERE id = ? RETURNING *', id);
    return r && (r.expires_at as number) > now ? toChallenge(r) : undefined;
  },
  async deleteExpiredChallenges(now) {
    return sql.run('DELETE FROM webauthn_challenges WHERE expires_at <= ?', now);
  },
});
