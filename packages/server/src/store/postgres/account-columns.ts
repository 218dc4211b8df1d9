import type { Account } from '../../accounts/store.js';

/**
 * The account columns beside a session's in one row (issue 18, P1: the browser, its open
 * sessions and their accounts in one statement), each named `acct_<column>`: `account_id` is
 * the session's own. `accountsOf` gives each account once, in the rows' order.
 */
const ACCOUNT_COLUMNS = ['id', 'username', 'password_hash', 'claims', 'disabled', 'created_at', 'updated_at', 'deleted_at'] as const;

export const accountColumnsOf = (alias: string): string => ACCOUNT_COLUMNS.map((c) => `${alias}.${c} AS acct_${c}`).join(', ');

export const accountsOf = (rows: readonly Record<string, unknown>[], toAccount: (r: Record<string, unknown>) => Account): Account[] => {
  const seen = new Map<string, Account>();
  for (const r of rows) {
    const id = r.acct_id;
    if (typeof id !== 'string' || seen.has(id)) continue;
    seen.set(id, toAccount(Object.fromEntries(ACCOUNT_COLUMNS.map((c) => [c, r[`acct_${c}`]]))));
  }
  return [...seen.values()];
};
