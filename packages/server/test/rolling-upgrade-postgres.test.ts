/**
 * Issue 17 §3, a rolling upgrade on PostgreSQL: while an instance of this code runs, the next
 * release's instance starts on the same database and migrates it (simulated by this code's
 * migrations plus one more, written by the rule the README states: a migration only adds tables
 * and nullable or defaulted columns). The old instance keeps serving: a session begun before the
 * upgrade stays live, and a new sign-in, code exchange, refresh and logout work, the logout's
 * back-channel notification delivered through the (widened) outbox. An old instance started
 * afresh on the newer schema refuses it and says why.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { MIGRATIONS, migrateTo } from '../src/store/postgres/migrations.js';
import { TestBrowser } from './helpers/browser.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';
import { CLIENTS, USERS, defaultClients, freePort } from './helpers/provider.js';
import { startReceiver, verifiedLogoutTokens } from './helpers/receiver.js';
import { codeOf, exchange, refresh, silent } from './helpers/session-flows.js';
import { STACK, runSignoff, startSignoff } from './helpers/signoff-process.js';

const server = usePostgres();
const dir = mkdtempSync(join(tmpdir(), 'signoff-rolling-'));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** What a next release might add: a column on the busiest tables (defaulted or nullable) and a table. */
const NEXT_RELEASE = `
  ALTER TABLE sessions ADD COLUMN device_label text;
  ALTER TABLE participants ADD COLUMN consent_version integer NOT NULL DEFAULT 1;
  ALTER TABLE logout_deliveries ADD COLUMN priority integer NOT NULL DEFAULT 0;
  ALTER TABLE accounts ADD COLUMN locale text;
  CREATE TABLE next_release_notes (id text PRIMARY KEY, account_id text NOT NULL, created_at double precision NOT NULL);
`;

const WEB = CLIENTS.web;
const authorizeUrl = (base: string): string =>
  `${base}/authorize?${new URLSearchParams({ client_id: WEB.client_id, redirect_uri: WEB.redirect_uri, response_type: 'code', scope: 'openid', state: 's' })}`;

describe('issue 17 §3: a rolling upgrade of instances on PostgreSQL', () => {
  it('an instance of this code keeps serving sign-in, refresh and logout (with its back-channel notification) after a newer release migrates the database under it', async () => {
    const db = await freshDatabase(await server());
    cleanups.push(db.drop);
    const rx = await startReceiver(() => 204);
    cleanups.push(rx.close);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const config = join(dir, 'rolling.json');
    const clients = defaultClients().map((c) => (c.client_id === WEB.client_id ? { ...c, backchannel_logout_uri: `${rx.url}/bcl` } : c));
    writeFileSync(config, JSON.stringify({ issuer: base, store: { postgres: db.url, poolSize: 2 }, clients, users: [USERS.alice], logging: { level: 'warn' } }));
    const old = await startSignoff(config, port, dir);
    cleanups.push(async () => {
      old.child.kill('SIGTERM');
      await old.exited;
    });

    const before = new TestBrowser(base);
    assert.ok((await before.signIn(authorizeUrl(base), USERS.alice)).location?.startsWith(WEB.redirect_uri));

    // The next release starts beside it and migrates (under the same advisory lock as a start).
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await migrateTo(client, MIGRATIONS.length + 1, [...MIGRATIONS, NEXT_RELEASE]);
      assert.equal(Number((await client.query('SELECT MAX(version) AS v FROM schema_migrations')).rows[0].v), MIGRATIONS.length + 1);
    } finally {
      await client.end();
    }

    // The old instance, still running: the earlier session lives, and a whole new one works.
    assert.ok((await silent(before, base, WEB)).code, 'the session begun before the upgrade is still live');
    const browser = new TestBrowser(base);
    const tokens = await exchange(base, WEB, codeOf(await browser.signIn(authorizeUrl(base), USERS.alice), WEB));
    assert.equal((await refresh(base, WEB, tokens.refresh_token as string)).status, 200, 'refresh on the newer schema');
    const out = await browser.request(`${base}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`);
    assert.ok(out.status < 400, `logout answered ${out.status}`);
    const [logout] = await verifiedLogoutTokens(rx, base, WEB.client_id, 0, 1);
    assert.equal(typeof logout?.sid, 'string', 'the back-channel logout went out through the widened outbox');
    assert.equal((await silent(browser, base, WEB)).error, 'login_required', 'the logout ended the session');

    // An old instance (or command) started afresh now refuses the newer schema, naming both versions.
    const late = await runSignoff(['users', 'list', '--config', config], { cwd: dir });
    assert.equal(late.code, 1, late.stderr);
    assert.match(late.stderr, new RegExp(`schema \\(version ${MIGRATIONS.length + 1}\\) is newer than this Signoff \\(version ${MIGRATIONS.length}\\); upgrade Signoff`));
    assert.doesNotMatch(late.stderr, STACK);
  });
});
