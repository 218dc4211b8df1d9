/**
 * Issue 17 §3, backups: `signoff backup --to FILE` copies a live SQLite store with SQLite's online
 * backup while a provider process serves sign-ins and logouts; `signoff restore --from FILE` puts
 * it back, and a new provider process on the restored store has the sessions and keys of the
 * moment of the backup (an ID token issued before it verifies with the new process's JWKS; a
 * browser signed in before it is still signed in). Hostile input — files that are not Signoff
 * stores, a newer schema, missing paths, the store itself, a backup sealed under another
 * key-encryption key, a PostgreSQL store — is refused with the reason, exit 1,
 * and no stack trace.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, USERS, defaultClients, freePort } from './helpers/provider.js';
import { codeOf, exchange, silent } from './helpers/session-flows.js';
import { type RunningSignoff, STACK, cleanEnv, runSignoff, startSignoff } from './helpers/signoff-process.js';

const WEB = CLIENTS.web;
const dir = mkdtempSync(join(tmpdir(), 'signoff-backup-'));
const running = new Set<RunningSignoff>();
const stop = async (op: RunningSignoff): Promise<void> => {
  op.child.kill('SIGTERM');
  await op.exited;
  running.delete(op);
};
after(async () => {
  for (const op of running) await stop(op);
  rmSync(dir, { recursive: true, force: true });
});

const authorizeUrl = (base: string): string =>
  `${base}/authorize?${new URLSearchParams({ client_id: WEB.client_id, redirect_uri: WEB.redirect_uri, response_type: 'code', scope: 'openid', state: 's' })}`;

const writeConfig = (name: string, base: string, store: Record<string, string>): string => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ issuer: base, store, clients: defaultClients(), users: [USERS.alice], logging: { level: 'warn' } }));
  return file;
};

const cli = (...args: string[]) => runSignoff(args, { cwd: dir, timeoutMs: 30_000 });

/** Signs alice in on a new browser and exchanges the code: the browser and its ID token. */
const signIn = async (base: string): Promise<{ browser: TestBrowser; idToken: string }> => {
  const browser = new TestBrowser(base);
  const hop = await browser.signIn(authorizeUrl(base), USERS.alice);
  const tokens = await exchange(base, WEB, codeOf(hop, WEB));
  return { browser, idToken: tokens.id_token };
};

describe('issue 17 §3: signoff backup and restore of a SQLite store', () => {
  it('a backup taken while a provider process serves sign-ins and logouts restores to a working provider: sessions, keys and a pre-backup ID token are there', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const storePath = join(dir, 'live.sqlite');
    const config = writeConfig('live', base, { sqlite: storePath });
    const backupFile = join(dir, 'live-backup.sqlite');
    let op = await startSignoff(config, port, dir);
    running.add(op);

    const kept = await signIn(base);
    // The load: sign in, then log out through the end-session endpoint, in a loop until told to stop.
    let loading = true;
    let rounds = 0;
    const afterBackup: TestBrowser[] = [];
    let backedUp = false;
    const load = (async () => {
      while (loading) {
        const { browser, idToken } = await signIn(base);
        if (backedUp) afterBackup.push(browser);
        else {
          const out = await browser.request(`${base}/logout?${new URLSearchParams({ id_token_hint: idToken })}`);
          assert.ok(out.status < 400, `logout answered ${out.status}`);
        }
        rounds++;
      }
    })();
    while (rounds < 3) await new Promise((r) => setTimeout(r, 50));
    const atBackup = rounds;
    const backup = await cli('backup', '--to', backupFile, '--config', config);
    backedUp = true;
    const duringBackup = rounds - atBackup;
    while (afterBackup.length < 2) await new Promise((r) => setTimeout(r, 50));
    loading = false;
    await load;
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /backed up the store .*live\.sqlite \(schema version \d+\) to .*live-backup\.sqlite/);
    assert.match(backup.stdout, /its signing keys are sealed under key-encryption key [\w-]{16}\b/, 'the output names the KEK the backup needs');
    assert.match(backup.stdout, /key-encryption key.*a restored store needs the same key/s, 'the output says the KEK must be kept');
    // The load went on while the backup ran: it is a copy of a store being written, not of an idle one.
    assert.ok(duringBackup >= 1, `sign-ins and logouts completed while the backup ran: ${duringBackup}`);

    // A second backup to the same file is refused without --force (and the backup under load stays).
    const again = await cli('backup', '--to', backupFile, '--config', config);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /exists; use --force/);

    // While the provider runs, restore refuses: the store is in use.
    const busy = await cli('restore', '--from', backupFile, '--config', config);
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, /in use; stop the provider/);
    assert.doesNotMatch(busy.stderr, STACK);

    await stop(op);
    const restored = await cli('restore', '--from', backupFile, '--config', config);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /kept as .*live\.sqlite\.before-restore/);
    assert.match(restored.stdout, /a restored store needs the same key/);
    assert.ok(existsSync(`${storePath}.before-restore`));

    op = await startSignoff(config, port, dir);
    running.add(op);
    const jwks = createRemoteJWKSet(new URL(`${base}/jwks`));
    const { payload } = await jwtVerify(kept.idToken, jwks, { issuer: base, audience: WEB.client_id });
    assert.equal(typeof payload.sid, 'string');
    const live = await silent(kept.browser, base, WEB);
    assert.equal(live.error, null, 'the browser signed in before the backup is still signed in');
    assert.ok(live.code, 'and gets a code without a prompt');
    await exchange(base, WEB, live.code);
    const later = afterBackup[0] as TestBrowser;
    assert.equal((await silent(later, base, WEB)).error, 'login_required', 'a session begun after the backup is not in the restored store');
    // A new sign-in works on the restored store.
    await signIn(base);
    await stop(op);
  });

  it('restore keeps nothing aside with --force, and refuses to replace an earlier .before-restore without it', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const storePath = join(dir, 'second.sqlite');
    const config = writeConfig('second', base, { sqlite: storePath });
    assert.equal((await cli('users', 'list', '--config', config)).code, 0); // creates the store
    const backupFile = join(dir, 'second-backup.sqlite');
    assert.equal((await cli('backup', '--to', backupFile, '--config', config)).code, 0);
    const overwrite = await cli('backup', '--to', backupFile, '--force', '--config', config);
    assert.equal(overwrite.code, 0, `--force replaces an existing backup: ${overwrite.stderr}`);
    assert.equal((await cli('restore', '--from', backupFile, '--config', config)).code, 0);
    const twice = await cli('restore', '--from', backupFile, '--config', config);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /before-restore exists/);
    const forced = await cli('restore', '--from', backupFile, '--force', '--config', config);
    assert.equal(forced.code, 0, forced.stderr);
    assert.doesNotMatch(forced.stdout, /kept as/);
    assert.equal((await cli('users', 'list', '--config', config)).code, 0);
  });

  it('hostile input is refused with the reason, exit 1, no stack trace', async () => {
    const config = writeConfig('hostile', 'http://127.0.0.1:3995', { sqlite: join(dir, 'hostile.sqlite') });
    assert.equal((await cli('users', 'list', '--config', config)).code, 0);

    const garbage = join(dir, 'garbage.sqlite');
    writeFileSync(garbage, 'not SQLite at all, but long enough to look like a file of pages. '.repeat(100));
    const foreign = join(dir, 'foreign.sqlite');
    const f = new Database(foreign);
    f.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    f.close();
    const newer = join(dir, 'newer.sqlite');
    assert.equal((await cli('backup', '--to', newer, '--config', config)).code, 0);
    const n = new Database(newer);
    n.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(MIGRATIONS.length + 1);
    n.close();
    const pgConfig = writeConfig('pg', 'http://127.0.0.1:3995', { postgres: 'postgres://signoff@127.0.0.1:1/signoff' });

    const cases: [string[], RegExp][] = [
      [['restore', '--from', garbage], /garbage\.sqlite is not a Signoff SQLite store: file is not a database/],
      [['restore', '--from', foreign], /foreign\.sqlite is an SQLite database but not a Signoff store \(no schema_migrations table\)/],
      [['restore', '--from', newer], new RegExp(`schema version ${MIGRATIONS.length + 1}, newer than this Signoff \\(version ${MIGRATIONS.length}\\)`)],
      [['restore', '--from', join(dir, 'missing.sqlite')], /no such file: .*missing\.sqlite/],
      [['backup', '--to', join(dir, 'no-such-dir', 'b.sqlite')], /the directory .*no-such-dir does not exist/],
      [['backup', '--to', garbage], /garbage\.sqlite exists; use --force/],
      [['backup', '--to', join(dir, 'hostile.sqlite'), '--force'], /hostile\.sqlite is the store itself/],
      [['restore', '--from', join(dir, 'hostile.sqlite')], /hostile\.sqlite is the store itself/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args, '--config', config);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.code} ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.doesNotMatch(r.stderr, STACK, 'no stack trace');
    }
    // The store the refused restores named is untouched, and nothing was set aside.
    assert.ok(!existsSync(join(dir, 'hostile.sqlite.before-restore')));
    assert.equal((await cli('users', 'list', '--config', config)).code, 0);

    // A backup whose signing keys are sealed under another key-encryption key than the one
    // configured is refused: a provider would not start on it.
    const valid = join(dir, 'valid.sqlite');
    assert.equal((await cli('backup', '--to', valid, '--config', config)).code, 0);
    const otherKek = await runSignoff(['restore', '--from', valid, '--config', config], {
      cwd: dir,
      env: { ...cleanEnv(), SIGNOFF_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
    });
    assert.equal(otherKek.code, 1, otherKek.stderr);
    assert.match(otherKek.stderr, /sealed under key-encryption key [\w-]{16}, but the configured one is [\w-]{16}: a provider would not start on it/);
    assert.doesNotMatch(otherKek.stderr, STACK);
    assert.ok(!existsSync(join(dir, 'hostile.sqlite.before-restore')), 'nothing was replaced');

    for (const [command, tool] of [['backup', /pg_dump/], ['restore', /pg_restore/]] as const) {
      const r = await cli(command, command === 'backup' ? '--to' : '--from', join(dir, 'x.dump'), '--config', pgConfig);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /the store is PostgreSQL/);
      assert.match(r.stderr, tool);
      assert.doesNotMatch(r.stderr, STACK);
    }
    const usage = await cli('backup', '--config', config);
    assert.equal(usage.code, 2, 'a missing --to is a usage error');
  });
});
