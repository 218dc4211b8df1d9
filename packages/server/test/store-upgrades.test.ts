/**
 * Issue 17 §3, schema upgrades: a store left by EACH earlier schema version, with data in it (an
 * account, a client, a session with a participant, a refresh token family and token, an outbox
 * row and an audit event — written with that version's own columns), is migrated to the latest
 * by the normal start-up path and its data is intact and usable through the Store, on SQLite and
 * on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { MIGRATIONS as PG_MIGRATIONS, migrateTo as pgMigrateTo } from '../src/store/postgres/migrations.js';
import { PostgresStore } from '../src/store/postgres/store.js';
import { MIGRATIONS as SQLITE_MIGRATIONS, migrateTo as sqliteMigrateTo } from '../src/store/sqlite/migrations.js';
import { SqliteStore } from '../src/store/sqlite/store.js';
import type { Store } from '../src/store/types.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'signoff-upgrades-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const postgres = usePostgres();

const NOW = 1_760_000_000;
const METADATA = JSON.stringify({ client_id: 'legacy-app', redirect_uris: ['http://127.0.0.1:5001/cb'], backchannel_logout_uri: 'http://127.0.0.1:5001/bcl' });

/**
 * The data set, as [sql, params] with `?` placeholders, in the columns every version has (the
 * first of each store); `outbox` says whether the outbox and the audit events exist yet (SQLite
 * migration 2; PostgreSQL from its first). `bool` writes a boolean in the store's own way.
 */
const dataSet = (opts: { outbox: boolean; bool: (b: boolean) => unknown; participantLastSeen: boolean }): [string, unknown[]][] => [
  ['INSERT INTO accounts (id, username, password_hash, claims, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ['acc-1', 'legacy-user', '$scrypt$legacy', JSON.stringify({ name: 'Legacy User' }), opts.bool(false), NOW, NOW]],
  ['INSERT INTO clients (client_id, secret_hash, metadata, source) VALUES (?, ?, ?, ?)', ['legacy-app', null, METADATA, 'config']],
  ['INSERT INTO browsers (id, secret_hash, created_at) VALUES (?, ?, ?)', ['br-1', 'browser-hash', NOW]],
  ['INSERT INTO sessions (id, browser_id, account_id, created_at, auth_time, last_seen, idle_expires_at, absolute_expires_at, amr, acr, remember_me, created_ip, created_user_agent, last_ip, last_user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ['ses-1', 'br-1', 'acc-1', NOW, NOW, NOW, NOW + 3600, NOW + 86400, '["pwd"]', '0', opts.bool(true), '127.0.0.1', 'legacy-agent', '127.0.0.1', 'legacy-agent']],
  [`INSERT INTO participants (session_id, client_id, sid, first_auth_at, last_auth_at${opts.participantLastSeen ? ', last_seen_at' : ''}) VALUES (?, ?, ?, ?, ?${opts.participantLastSeen ? ', ?' : ''})`,
    ['ses-1', 'legacy-app', 'sid-1', NOW, NOW, ...(opts.participantLastSeen ? [NOW] : [])]],
  ['INSERT INTO token_families (id, client_id, account_id, session_id, offline, sid, scope, auth_time, acr, amr, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ['fam-1', 'legacy-app', 'acc-1', 'ses-1', opts.bool(false), 'sid-1', 'openid profile', NOW, '0', '["pwd"]', NOW]],
  ['INSERT INTO refresh_tokens (hash, family_id, client_id, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ['rt-hash-1', 'fam-1', 'legacy-app', 'openid profile', NOW, NOW + 86400]],
  ...(opts.outbox
    ? ([
        ['INSERT INTO logout_deliveries (id, client_id, session_id, account_id, sid, reason, created_at, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          ['del-1', 'legacy-app', 'ses-1', 'acc-1', 'sid-1', 'logout', NOW, 'pending', NOW]],
        ['INSERT INTO events (at, type, session_id, account_id, reason, actor) VALUES (?, ?, ?, ?, ?, ?)', [NOW, 'session.created', 'ses-1', 'acc-1', null, 'user']],
      ] as [string, unknown[]][])
    : []),
];

/** What the data must be after the upgrade, read and written through the Store. */
const assertIntact = async (store: Store, from: number, outbox: boolean): Promise<void> => {
  const at = `from version ${from}`;
  assert.equal((await store.accountById('acc-1'))?.username, 'legacy-user', at);
  assert.equal((await store.accountByUsername('legacy-user'))?.id, 'acc-1', at);
  assert.equal((await store.clientById('legacy-app'))?.backchannel_logout_uri, 'http://127.0.0.1:5001/bcl', at);
  const session = await store.sessionById('ses-1');
  assert.equal(session?.accountId, 'acc-1', at);
  assert.equal(session?.browserId, 'br-1', at);
  assert.deepEqual(session?.amr, ['pwd'], at);
  assert.equal(session?.endedAt, undefined, `${at}: the session is still open`);
  assert.equal((await store.participantBySid('sid-1'))?.sessionId, 'ses-1', at);
  const family = await store.familyById('fam-1');
  assert.deepEqual(family?.scope, ['openid', 'profile'], at);
  assert.equal((await store.refreshTokenByHash('rt-hash-1'))?.familyId, 'fam-1', at);
  if (outbox) {
    const [row] = await store.listDeliveries({ limit: 10 });
    assert.equal(row?.id, 'del-1', at);
    assert.equal(row?.kind, 'backchannel_logout', `${at}: an old outbox row is a back-channel logout`);
    assert.equal(row?.status, 'pending', at);
  }
  // Usable, not only readable: a write the token endpoint makes.
  await store.revokeFamily('fam-1', NOW + 10);
  assert.equal((await store.familyById('fam-1'))?.revokedAt, NOW + 10, at);
};

describe('issue 17 §3: every earlier schema version upgrades to the latest with its data', () => {
  it(`SQLite: a store at each version 1..${SQLITE_MIGRATIONS.length - 1}, migrated at open, keeps its account, client, session, participant, tokens and outbox`, async () => {
    for (let version = 1; version < SQLITE_MIGRATIONS.length; version++) {
      const path = join(dir, `v${version}.sqlite`);
      const db = new Database(path);
      sqliteMigrateTo(db, version);
      assert.equal((db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v, version);
      const outbox = version >= 2;
      for (const [sql, params] of dataSet({ outbox, bool: (b) => (b ? 1 : 0), participantLastSeen: false })) db.prepare(sql).run(...params);
      db.close();
      const store = new SqliteStore(path);
      try {
        await assertIntact(store, version, outbox);
      } finally {
        await store.close();
      }
      const after = new Database(path, { readonly: true });
      assert.equal((after.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v, SQLITE_MIGRATIONS.length);
      after.close();
    }
  });

  it(`PostgreSQL: a database at each version 1..${PG_MIGRATIONS.length - 1}, migrated at open, keeps the same data`, async () => {
    const server = await postgres();
    for (let version = 1; version < PG_MIGRATIONS.length; version++) {
      const database = await freshDatabase(server);
      try {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          await pgMigrateTo(client, version);
          assert.equal(Number((await client.query('SELECT MAX(version) AS v FROM schema_migrations')).rows[0].v), version);
          for (const [sql, params] of dataSet({ outbox: true, bool: (b) => b, participantLastSeen: true })) {
            let n = 0;
            await client.query(sql.replace(/\?/g, () => `$${++n}`), params);
          }
        } finally {
          await client.end();
        }
        const store = await PostgresStore.open(database.url, 2);
        try {
          await assertIntact(store, version, true);
        } finally {
          await store.close();
        }
      } finally {
        await database.drop();
      }
    }
  });
});
