import type { GrantStore } from '../../oauth/grants.js';
import { type Sql, joinScope, splitScope } from './sql.js';

/** GrantStore on SQLite: one row per (account, client), the approved scopes space-separated. */
export const sqliteGrants = (sql: Sql): GrantStore => ({
  async grantFor(accountId, clientId) {
    const r = sql.one('SELECT * FROM grants WHERE account_id = ? AND client_id = ?', accountId, clientId);
    return r && { accountId, clientId, scope: splitScope(r.scope), createdAt: r.created_at as number };
  },
  async upsertGrant(g) {
    sql.run(
      `INSERT INTO grants (account_id, client_id, scope, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, client_id) DO UPDATE SET scope = excluded.scope`,
      g.accountId, g.clientId, joinScope(g.scope), g.createdAt,
    );
  },
});
