import type { Account, AccountPatch, AccountStore } from '../../accounts/store.js';
import { endSessions } from './ending.js';
import { accountSignals } from '../../signals/account-events.js';
import { queueAccountSignal } from './signals.js';
import { type Row, type Sql, opt } from './sql.js';

export const toAccount = (r: Row): Account => ({
  id: r.id as string,
  username: r.username as string,
  passwordHash: r.password_hash as string,
  claims: JSON.parse(r.claims as string) as Record<string, unknown>,
  disabled: r.disabled === 1,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
  deletedAt: opt<number>(r.deleted_at),
});

const update = (sql: Sql, id: string, patch: AccountPatch): boolean => {
  // A deleted account is a tombstone: nothing changes it again.
  const r = sql.one('SELECT * FROM accounts WHERE id = ? AND deleted_at IS NULL', id);
  if (!r) return false;
  const next = { ...toAccount(r), ...patch };
  sql.run(
    'UPDATE accounts SET username = ?, password_hash = ?, claims = ?, disabled = ?, updated_at = ?, deleted_at = ? WHERE id = ?',
    next.username, next.passwordHash, JSON.stringify(next.claims), next.disabled ? 1 : 0, next.updatedAt, next.deletedAt ?? null, id,
  );
  return true;
};

/**
 * A deleted account's second factors, recovery codes and upstream links are credentials of no one:
 * they go with it (a later sign-in through the upstream makes a new account).
 */
const forgetFactors = (sql: Sql, accountId: string): void => {
  for (const table of ['account_factors', 'recovery_codes', 'webauthn_challenges', 'account_links']) sql.run(`DELETE FROM ${table} WHERE account_id = ?`, accountId);
};

export const insertAccountRow = (sql: Sql, a: Account): void => {
  sql.run(
    'INSERT INTO accounts (id, username, password_hash, claims, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    a.id, a.username, a.passwordHash, JSON.stringify(a.claims), a.disabled ? 1 : 0, a.createdAt, a.updatedAt,
  );
};

/** AccountStore on SQLite: claims are a JSON column. */
export const sqliteAccounts = (sql: Sql): AccountStore => ({
  async insertAccount(a) {
    insertAccountRow(sql, a);
  },
  async accountById(id) {
    const r = sql.one('SELECT * FROM accounts WHERE id = ?', id);
    return r && toAccount(r);
  },
  async accountByUsername(username) {
    const r = sql.one('SELECT * FROM accounts WHERE username = ?', username);
    return r && toAccount(r);
  },
  async listAccounts() {
    return sql.all('SELECT * FROM accounts WHERE deleted_at IS NULL ORDER BY username').map(toAccount);
  },
  async pageAccounts(q) {
    const after = q.after === undefined ? '' : 'AND username > ?';
    return sql.all(`SELECT * FROM accounts WHERE deleted_at IS NULL ${after} ORDER BY username LIMIT ?`, ...(q.after === undefined ? [] : [q.after]), q.limit).map(toAccount);
  },
  async updateAccount(id, patch) {
    return update(sql, id, patch);
  },
  async rehashPassword(id, expected, next) {
    return sql.run('UPDATE accounts SET password_hash = ? WHERE id = ? AND password_hash = ? AND deleted_at IS NULL', next, id, expected) > 0;
  },
  async changeAccount(id, patch, ending) {
    // One immediate transaction; the ending's own transaction nests in it as a savepoint.
    return sql.db
      .transaction(() => {
        const before = sql.one('SELECT disabled FROM accounts WHERE id = ?', id);
        if (!update(sql, id, patch)) return { found: false, ended: [] };
        if (patch.deletedAt !== undefined) forgetFactors(sql, id);
        for (const event of accountSignals(before?.disabled === 1, patch)) queueAccountSignal(sql, id, event, patch.updatedAt ?? ending?.at ?? 0);
        return { found: true, ended: ending ? endSessions(sql, { accountId: id }, ending) : [] };
      })
      .immediate();
  },
});
