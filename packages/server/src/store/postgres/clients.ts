import { cachedClientById } from '../../clients/cache.js';
import type { Client, ClientStore } from '../../clients/store.js';
import { type Db, type Row, named } from './db.js';
import { CLIENTS_CHANNEL, type OutboxNotifications, notifiedVersion } from './notifications.js';
import { opt } from './rows.js';

const toClient = (r: Row): Client => ({
  ...(r.metadata as Omit<Client, 'client_secret_hash' | 'source'>),
  client_secret_hash: opt<string>(r.secret_hash),
  source: r.source as Client['source'],
});

/** Read on every authorization and token request: a named statement (db.ts Named). */
const CLIENT_BY_ID = named('client_by_id', 'SELECT client_id, secret_hash, metadata, source FROM clients WHERE client_id = $1');

/**
 * ClientStore on PostgreSQL: the RFC 7591 metadata is one jsonb column (the ending transaction
 * reads its backchannel_logout_uri); the secret's hash and the source are columns of their own.
 * Every write sends a NOTIFY on CLIENTS_CHANNEL in its own statement, so PostgreSQL delivers it
 * at the commit; `clientsVersion` moves with this instance's writes and with each notification,
 * and is undefined while the LISTEN connection is not confirmed (clients/cache.ts).
 */
export const postgresClients = (db: Db, notifications: OutboxNotifications): ClientStore => {
  const version = notifiedVersion(notifications);
  return {
    async upsertClient(c) {
      const { client_secret_hash, source, ...metadata } = c;
      await db.run(
        `WITH w AS (
           INSERT INTO clients (client_id, secret_hash, metadata, source) VALUES ($1, $2, $3, $4)
           ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, metadata = excluded.metadata, source = excluded.source
           RETURNING 1)
         SELECT pg_notify('${CLIENTS_CHANNEL}', '') FROM w`,
        [c.client_id, client_secret_hash ?? null, JSON.stringify(metadata), source],
      );
      version.bump();
    },
    clientById: cachedClientById(version.current, async (id) => {
      const r = await db.one(CLIENT_BY_ID, [id]);
      return r && toClient(r);
    }),
    async clientsById(ids) {
      if (ids.length === 0) return [];
      return (await db.all('SELECT * FROM clients WHERE client_id = ANY($1::text[])', [ids])).map(toClient);
    },
    async listClients() {
      return (await db.all('SELECT * FROM clients ORDER BY client_id COLLATE "C"')).map(toClient);
    },
    async removeClient(id) {
      const removed = await db.run(`WITH d AS (DELETE FROM clients WHERE client_id = $1 RETURNING 1) SELECT pg_notify('${CLIENTS_CHANNEL}', '') FROM d`, [id]);
      version.bump();
      return removed > 0;
    },
    clientsVersion: version.current,
  };
};
