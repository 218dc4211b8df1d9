import { cachedClientById } from '../../clients/cache.js';
import type { Client, ClientStore } from '../../clients/store.js';
import { changeVersion } from './change-version.js';
import { type Row, type Sql, opt } from './sql.js';

const toClient = (r: Row): Client => ({
  ...(JSON.parse(r.metadata as string) as Omit<Client, 'client_secret_hash' | 'source'>),
  client_secret_hash: opt<string>(r.secret_hash),
  source: r.source as Client['source'],
});

/**
 * ClientStore on SQLite: the RFC 7591 metadata is one JSON column (the ending transaction reads
 * its backchannel_logout_uri); the secret's hash and the source are columns of their own.
 * `clientById` answers from a copy checked against a change version (change-version.ts), so
 * `signoff clients` in another process is seen at the next request.
 */
export const sqliteClients = (sql: Sql): ClientStore => {
  const version = changeVersion(sql);
  return {
    async upsertClient(c) {
      const { client_secret_hash, source, ...metadata } = c;
      sql.run(
        `INSERT INTO clients (client_id, secret_hash, metadata, source) VALUES (?, ?, ?, ?)
         ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, metadata = excluded.metadata, source = excluded.source`,
        c.client_id, client_secret_hash ?? null, JSON.stringify(metadata), source,
      );
      version.bump();
    },
    clientById: cachedClientById(version.current, async (id) => {
      const r = sql.one('SELECT * FROM clients WHERE client_id = ?', id);
      return r && toClient(r);
    }),
    async clientsById(ids) {
      if (ids.length === 0) return [];
      return sql.all('SELECT * FROM clients WHERE client_id IN (SELECT value FROM json_each(?))', JSON.stringify(ids)).map(toClient);
    },
    async listClients() {
      return sql.all('SELECT * FROM clients ORDER BY client_id').map(toClient);
    },
    async removeClient(id) {
      const removed = sql.run('DELETE FROM clients WHERE client_id = ?', id) > 0;
      version.bump();
      return removed;
    },
    clientsVersion: version.current,
  };
};
