import type { Account, AccountPatch, AccountStore } from '../../accounts/store.js';
import { type Db, type Q, type Row, named } from './db.js';
import { accountSignals } from '../../signals/account-events.js';
import { endSessions } from './ending.js';
import { queueAccountSignal } from './signals.js';
import { opt } from './rows.js';

/** Read on every authorization: a named statement (db.ts Named) with the columns toAccount reads. */
const ACCOUNT_BY_ID = named('account_by_id', 'SELECT id, username, password_hash, claims, disabled, created_at, updated_at, deleted_at FROM accounts WHERE id = $1');

export const toAccount = (r: Row): Account => ({
  id: r.id as string,
  username: r.username as string,
  passwordHash: r.password_hash as string,
  claims: JSON.parse(r.claims as string) as Record<string, unknown>,
  disabled: r.disabled === true,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
  deletedAt: opt<number>(r.deleted_at),
});

/** One statement: a field the patch leaves out keeps its stored value; a deleted account (a tombstone) never changes again. */
const update = async (q: Q, id: string, patch: AccountPatch): Promise<boolean> =>
  (await q.run(
    `UPDATE accounts SET username = COALESCE($2, username), password_hash = COALESCE($3, password_hash), claims = COALESCE($4, claims),
       disabled = COALESCE($5, disabled), updated_at = COALESCE($6, updated_at), deleted_at = COALESCE($7, deleted_at)
     WHERE id = $1 AND deleted_at IS NULL`,
    [
      id, patch.username ?? null, patch.passwordHash ?? null, patch.claims === undefined ? null : JSON.stringify(patch.claims),
      patch.disabled ?? null, patch.updatedAt ?? null, patch.deletedAt ?? null,
    ],
  )) === 1;

/**
 * A deleted account's second factors, recovery codes and upstream links are credentials of no one:
 * they go with it (a later sign-in through the upstream makes a new account).
 */
const forgetFactors = async (q: Q, accountId: string): Promise<void> => {
  for (const table of ['account_factors', 'recovery_codes', 'webauthn_challenges', 'account_links']) await q.run(`DELETE FROM ${table} WHERE account_id = $1`, [accountId]);
};

export const insertAccountRow = async (q: Q, a: Account): Promise<void> => {
  await q.run(
    'INSERT INTO accounts (id, username, password_hash, claims, disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [a.id, a.username, a.passwordHash, JSON.stringify(a.claims), a.disabled, a.createdAt, a.updatedAt],
  );
};

/** AccountStore on PostgreSQL: claims are a JSON text column. */
export const postgresAccounts = (db: Db): AccountStore => ({
  async insertAccount(a) {
    await insertAccountRow(db, a);
  },
  async accountById(id) {
    const r = await db.one(ACCOUNT_BY_ID, [id]);
    return r && toAccount(r);
  },
  async accountByUsername(username) {
    const r = await db.one('SELECT * FROM accounts WHERE username = $1', [username]);
    return r && toAccount(r);
  },
  async listAccounts() {
    // COLLATE "C": the byte order SQLite sorts in, whatever the database's locale.
    return (await db.all('SELECT * FROM accounts WHERE deleted_at IS NULL ORDER BY username COLLATE "C"')).map(toAccount);
  },
  async pageAccounts(q) {
    const after = q.after === undefined ? '' : 'AND username COLLATE "C" > $2';
    const args = q.after === undefined ? [q.limit] : [q.limit, q.after];
    return (await db.all(`SELECT * FROM accounts WHERE deleted_at IS NULL ${after} ORDER BY username COLLATE "C" LIMIT $1`, args)).map(toAccount);
  },
  async updateAccount(id, patch) {
    return update(db, id, patch);
  },
  async rehashPassword(id, expected, next) {
    return (await db.run('UPDATE accounts SET password_hash = $1 WHERE id = $2 AND password_hash = $3 AND deleted_at IS NULL', [next, id, expected])) > 0;
  },
  async changeAccount(id, patch, ending) {
    // The account row's lock, taken by the UPDATE, is held until the ending has committed with it.
    return db.tx(async (q) => {
      const before = await q.one('SELECT disabled FROM accounts WHERE id = $1 FOR UPDATE', [id]);
      if (!(await update(q, id, patch))) return { found: false, ended: [] };
      if (patch.deletedAt !== undefined) await forgetFactors(q, id);
      for (const event of accountSignals(before?.disabled === true, patch)) await queueAccountSignal(q, id, event, patch.updatedAt ?? ending?.at ?? 0);
      return { found: true, ended: ending ? await endSessions(q, { accountId: id }, ending) : [] };
    });
  },
});
