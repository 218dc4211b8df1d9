import type { GrantStore } from '../../oauth/grants.js';
import type { Db } from './db.js';
import { joinScope, splitScope } from './rows.js';

/** GrantStore on PostgreSQL: one row per (account, client), the approved scopes space-separated. */
export const postgresGrants = (db: Db): GrantStore => ({
  async grantFor(accountId, clientId) {
    const r = await db.one('SELECT * FROM grants WHERE account_id = $1 AND client_id = $2', [accountId, clientId]);
    return r && { accountId, clientId, scope: splitScope(r.scope), createdAt: r.created_at as number };
  },
  async upsertGrant(g) {
    await db.run(
      `INSERT INTO grants (account_id, client_id, scope, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, client_id) DO UPDATE SET scope = excluded.scope`,
      [g.accountId, g.clientId, joinScope(g.scope), g.createdAt],
    );
  },
});
