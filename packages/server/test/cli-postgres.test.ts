/**
 * The `signoff` command line on a PostgreSQL store (issue 11 §3: "The CLI (`sessions`, `users`,
 * `deliveries`, `keys`, `events`) works against PostgreSQL"). The real built binary runs in child
 * processes, each test on a database of its own (test/helpers/postgres.ts) with a key-encryption
 * key of its own; sessions come from real sign-ins against a `signoff start` process on that
 * database, and what a command changed is read back through PostgresStore.open or another command.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import pg from 'pg';
import type { LogoutDelivery } from '../src/logout/back-channel/outbox.js';
import { redactUrl } from '../src/store/postgres/db.js';
import { PostgresStore } from '../src/store/postgres/store.js';
import { TestBrowser, isLoginPage } from './helpers/browser.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';
import { CLIENTS, defaultClients, freePort } from './helpers/provider.js';
import { type Receiver, eventually, startReceiver } from './helpers/receiver.js';
import { type TestClient, authorizeUrl, browserIdOf, silent } from './helpers/session-flows.js';
import { BIN, STACK, type SignoffResult, cleanEnv, runSignoff, startSignoff } from './helpers/signoff-process.js';

const server = usePostgres();
const dir = mkdtempSync(join(tmpdir(), 'signoff-cli-pg-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ALICE = { username: 'alice', password: 'alice-battery-staple-horse' };
const BOB = { username: 'bob', password: 'bob-battery-staple-horse' };

/** What a test set up (databases, providers, receivers), undone after it, last first. */
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface Setup {
  url: string;
  base: string;
  config: string;
  /** Every process of this database runs with its key-encryption key. */
  env: NodeJS.ProcessEnv;
  /** `signoff ...args --config FILE`. */
  signoff(...args: string[]): Promise<SignoffResult>;
  /** The same, failing the test unless it exits 0. */
  ok(...args: string[]): Promise<SignoffResult>;
  /** `signoff start` on this database, stopped after the test. */
  start(): Promise<void>;
  /** The store itself, to read back what a command changed. */
  store(): Promise<PostgresStore>;
}

/** A fresh database, a configuration file naming it (no configured users: the CLI adds them) and a KEK. */
const setUp = async (name: string, clients: Record<string, unknown>[] = defaultClients()): Promise<Setup> => {
  const db = await freshDatabase(await server());
  cleanups.push(db.drop);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = join(dir, `${name}.json`);
  writeFileSync(config, JSON.stringify({ issuer: base, port, store: { postgres: db.url, poolSize: 2 }, clients, users: [], logging: { level: 'silent' } }));
  const env = { ...cleanEnv(), SIGNOFF_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  // --config before a `--`, after which everything is a positional (keys revoke -- KID).
  const signoff = (...args: string[]) => {
    const end = args.includes('--') ? args.indexOf('--') : args.length;
    return runSignoff([...args.slice(0, end), '--config', config, ...args.slice(end)], { cwd: dir, env });
  };
  let store: Promise<PostgresStore> | undefined;
  return {
    url: db.url,
    base,
    config,
    env,
    signoff,
    ok: async (...args) => {
      const r = await signoff(...args);
      assert.equal(r.code, 0, `signoff ${args.join(' ')} → ${r.code}: ${r.stderr}`);
      return r;
    },
    start: async () => {
      const op = await startSignoff(config, port, dir, env);
      cleanups.push(async () => {
        op.child.kill('SIGTERM');
        await op.exited;
      });
    },
    store: () =>
      (store ??= PostgresStore.open(db.url, 2).then((s) => {
        cleanups.push(() => s.close());
        return s;
      })),
  };
};

/** Signs `user` in through `client` on a fresh browser against the running provider. */
const signIn = async (s: Setup, user: { username: string; password: string }, client: TestClient = CLIENTS.web): Promise<TestBrowser> => {
  const browser = new TestBrowser(s.base);
  const hop = await browser.signIn(authorizeUrl(s.base, client), user);
  assert.ok(hop.location?.startsWith(client.redirect_uri), `${user.username} did not reach ${client.client_id}: ${hop.status} ${hop.body.slice(0, 200)}`);
  return browser;
};

/** Whether the provider refuses `user` (the sign-in page comes back instead of a redirect). */
const refused = async (s: Setup, user: { username: string; password: string }): Promise<boolean> => {
  const hop = await new TestBrowser(s.base).signIn(authorizeUrl(s.base, CLIENTS.web), user);
  return hop.location === undefined && isLoginPage(hop.body);
};

const json = <T>(r: SignoffResult): T => JSON.parse(r.stdout) as T;

/** `signoff events tail --follow --json -n 1` on the database of `s`, killed after the test (or after 30 s). */
const follow = (s: Setup) => {
  const follower: ChildProcess = spawn(process.execPath, [BIN, 'events', 'tail', '--follow', '--json', '-n', '1', '--config', s.config], { cwd: dir, env: s.env });
  const killer = setTimeout(() => follower.kill('SIGKILL'), 30_000);
  const exited = new Promise<void>((resolve) => follower.on('exit', () => resolve()));
  cleanups.push(async () => {
    follower.kill('SIGKILL');
    await exited;
    clearTimeout(killer);
  });
  let out = '';
  follower.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const lines = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; sessionId?: string; reason?: string; actor?: string });
  return { follower, exited, lines };
};

describe('issue 11 §3: the CLI works against PostgreSQL', () => {
  it('users add, list, passwd (ending the user\'s sessions) and disable work on a PostgreSQL store (issue 11 §3)', async () => {
    const s = await setUp('users');
    const add = await s.ok('users', 'add', 'alice', '--password', ALICE.password, '--claim', 'name=Alice', '--claim', 'email_verified=true');
    const sub = /^added user alice \(sub (\S+)\)$/m.exec(add.stdout)?.[1];
    assert.ok(sub, add.stdout);
    await s.ok('users', 'add', 'bob', '--password', BOB.password);
    const dup = await s.signoff('users', 'add', 'alice', '--password', 'another-battery-staple-horse');
    assert.equal(dup.code, 1, dup.stderr);
    assert.match(dup.stderr, /user "alice" already exists/);

    const listed = json<Record<string, unknown>[]>(await s.ok('users', 'list', '--json'));
    assert.deepEqual(listed.map((u) => [u.username, u.disabled]).sort(), [['alice', false], ['bob', false]]);
    assert.deepEqual(listed.find((u) => u.username === 'alice')?.claims, { name: 'Alice', email_verified: true });
    const table = await s.ok('users', 'list');
    assert.match(table.stdout, new RegExp(`^alice\\s+${sub}\\s+active\\s`, 'm'));
    assert.doesNotMatch(table.stdout + JSON.stringify(listed), /argon2|passwordHash/i, 'no password hash is listed');
    const store = await s.store();
    assert.equal((await store.accountByUsername('alice'))?.id, sub, 'the user is in the PostgreSQL database');

    await s.start();
    await signIn(s, ALICE);
    await signIn(s, ALICE);
    await signIn(s, BOB);
    const passwd = await runSignoff(['users', 'passwd', 'alice', '--password-stdin', '--config', s.config], { cwd: dir, env: s.env, input: 'alice-new-battery-staple-horse\n' });
    assert.equal(passwd.code, 0, passwd.stderr);
    assert.equal(passwd.stdout, 'changed the password of alice; ended 2 session(s)\n');
    const aliceSessions = await store.listSessions({ accountId: sub, includeEnded: true, limit: 10 });
    assert.deepEqual(aliceSessions.map((x) => [x.endReason, x.endedBy]), [['password_changed', 'admin:cli'], ['password_changed', 'admin:cli']]);
    assert.equal((await store.listSessions({ limit: 10 })).length, 1, "bob's session stays open");
    assert.ok(await refused(s, ALICE), 'the old password no longer signs in');
    await signIn(s, { username: 'alice', password: 'alice-new-battery-staple-horse' });

    const disable = await s.ok('users', 'disable', 'alice');
    assert.equal(disable.stdout, 'disabled user alice; ended 1 session(s)\n');
    assert.equal((await store.accountByUsername('alice'))?.disabled, true);
    const [latest] = await store.listSessions({ accountId: sub, includeEnded: true, limit: 1 });
    assert.deepEqual([latest?.endReason, latest?.endedBy], ['account_disabled', 'admin:cli']);
    assert.match((await s.ok('users', 'list')).stdout, /^alice\s+\S+\s+disabled\s/m);
    assert.ok(await refused(s, { username: 'alice', password: 'alice-new-battery-staple-horse' }), 'a disabled user cannot sign in');
  });

  it('sessions list, show, end SESSION_ID, end --user and end --browser work on a PostgreSQL store (issue 11 §3)', async () => {
    const s = await setUp('sessions');
    await s.ok('users', 'add', 'alice', '--password', ALICE.password);
    await s.ok('users', 'add', 'bob', '--password', BOB.password);
    await s.start();
    const first = await signIn(s, ALICE);
    await signIn(s, ALICE);
    const bobs = await signIn(s, BOB);
    // The same browser signs in to a second application through its SSO session.
    const sso = await first.request(authorizeUrl(s.base, CLIENTS.post));
    assert.ok(sso.location?.startsWith(CLIENTS.post.redirect_uri), `no SSO to post: ${sso.status}`);
    const store = await s.store();
    const alice = await store.accountByUsername('alice');
    assert.ok(alice);

    const open = json<{ id: string; accountId: string; browserId: string }[]>(await s.ok('sessions', 'list', '--json'));
    assert.equal(open.length, 3);
    const table = await s.ok('sessions', 'list');
    assert.equal(table.stdout.match(/^\S+\s+alice\s+open\s/gm)?.length, 2, table.stdout);
    assert.equal(table.stdout.match(/^\S+\s+bob\s+open\s/gm)?.length, 1, table.stdout);
    assert.equal(json<unknown[]>(await s.ok('sessions', 'list', '--user', 'alice', '--json')).length, 2);
    const target = open.find((x) => x.browserId === browserIdOf(first));
    assert.ok(target, 'the session of the first browser is listed');

    const shown = json<{ session: { id: string }; participants: { clientId: string; sid: string }[]; events: { type: string }[] }>(
      await s.ok('sessions', 'show', target.id, '--json'),
    );
    assert.equal(shown.session.id, target.id);
    assert.deepEqual(shown.participants.map((p) => p.clientId).sort(), ['post', 'web']);
    assert.ok(shown.events.some((e) => e.type === 'session.created'));
    const show = await s.ok('sessions', 'show', target.id);
    assert.match(show.stdout, /^user\s+alice$/m);
    assert.match(show.stdout, /^state\s+open$/m);
    for (const p of shown.participants) assert.match(show.stdout, new RegExp(`^${p.clientId}\\s+${p.sid}\\s`, 'm'));

    const endOne = await s.ok('sessions', 'end', target.id);
    assert.equal(endOne.stdout, 'ended 1 session(s); 2 application sign-in(s) notified\n');
    const ended = await store.sessionById(target.id);
    assert.deepEqual([typeof ended?.endedAt, ended?.endReason, ended?.endedBy], ['number', 'admin', 'admin:cli']);
    assert.equal((await silent(first, s.base, CLIENTS.web)).error, 'login_required', 'the browser is signed out at the provider');
    assert.match((await s.ok('sessions', 'list', '--all')).stdout, new RegExp(`^${target.id}\\s+alice\\s+ended \\(admin\\)`, 'm'));
    assert.match((await s.ok('sessions', 'show', target.id)).stdout, /^state\s+ended \(admin\) by admin:cli at \S+$/m);

    const endUser = await s.ok('sessions', 'end', '--user', 'alice');
    assert.equal(endUser.stdout, 'ended 1 session(s); 1 application sign-in(s) notified\n');
    assert.deepEqual(await store.listSessions({ accountId: alice.id, limit: 10 }), [], 'no session of alice is open');
    const endBrowser = await s.ok('sessions', 'end', '--browser', browserIdOf(bobs));
    assert.equal(endBrowser.stdout, 'ended 1 session(s); 1 application sign-in(s) notified\n');
    assert.deepEqual(json<unknown[]>(await s.ok('sessions', 'list', '--json')), []);
    assert.equal(json<unknown[]>(await s.ok('sessions', 'list', '--all', '--json')).length, 3);
  });

  it('deliveries list, retry DELIVERY_ID and retry --all --client work on a PostgreSQL store, and the running provider sends what they retried (issue 11 §3)', async () => {
    let answer = 400;
    const rx: Receiver = await startReceiver(() => answer);
    cleanups.push(rx.close);
    const s = await setUp('deliveries', defaultClients().map((c) => (c.client_id === 'web' ? { ...c, backchannel_logout_uri: rx.url } : c)));
    await s.ok('users', 'add', 'alice', '--password', ALICE.password);
    await s.start();
    await signIn(s, ALICE);
    await signIn(s, ALICE);
    assert.equal((await s.ok('sessions', 'end', '--user', 'alice')).stdout, 'ended 2 session(s); 2 application sign-in(s) notified\n');
    await rx.waitFor(2, 10_000);
    const store = await s.store();
    const failedRows = () => store.listDeliveries({ status: 'failed', limit: 10 });
    await eventually(async () => ((await failedRows()).length === 2 ? true : undefined), 'two failed deliveries', 10_000);

    const failed = json<LogoutDelivery[]>(await s.ok('deliveries', 'list', '--status', 'failed', '--json'));
    assert.deepEqual(failed.map((d) => [d.clientId, d.reason, d.attempts, d.lastError]), [['web', 'admin', 1, 'HTTP 400'], ['web', 'admin', 1, 'HTTP 400']]);
    assert.deepEqual(json<unknown[]>(await s.ok('deliveries', 'list', '--status', 'pending', '--json')), []);
    const table = await s.ok('deliveries', 'list');
    for (const d of failed) assert.match(table.stdout, new RegExp(`^${d.id}\\s+web\\s+failed\\s+admin\\s.*HTTP 400$`, 'm'));
    const [one, two] = failed as [LogoutDelivery, LogoutDelivery];

    const retried = await s.ok('deliveries', 'retry', one.id);
    assert.equal(retried.stdout, `delivery ${one.id} is due now\n`);
    const [third] = (await rx.waitFor(3, 10_000)).slice(2);
    const sid = JSON.parse(Buffer.from(third?.logoutToken.split('.')[1] ?? '', 'base64url').toString()).sid as string;
    assert.equal(sid, one.sid, 'the running provider sent the retried delivery again');
    assert.equal((await store.listDeliveries({ status: 'failed', limit: 10 })).find((d) => d.id === two.id)?.finishedAt, two.finishedAt, 'the other one is untouched');
    await eventually(async () => ((await failedRows()).length === 2 ? true : undefined), 'the retried delivery failed again', 10_000);

    const unknown = await s.signoff('deliveries', 'retry', 'no-such-id');
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(unknown.stderr, /no pending or failed delivery "no-such-id"; nothing was retried/);
    assert.doesNotMatch(unknown.stderr, STACK);

    answer = 204; // the application is fixed
    const all = await s.ok('deliveries', 'retry', '--all', '--client', 'web');
    assert.equal(all.stdout, '2 deliveries of client web due now\n');
    await eventually(async () => ((await store.listDeliveries({ status: 'delivered', limit: 10 })).length === 2 ? true : undefined), 'both delivered', 10_000);
    const delivered = json<LogoutDelivery[]>(await s.ok('deliveries', 'list', '--status', 'delivered', '--json'));
    assert.deepEqual(delivered.map((d) => d.id).sort(), [one.id, two.id].sort());
    assert.equal((await s.ok('deliveries', 'retry', '--all', '--client', 'web')).stdout, 'client web has no pending or failed deliveries\n');
    assert.equal((await s.signoff('deliveries', 'retry', '--all', '--client', 'nobody')).code, 1);
  });

  it('keys list, rotate and revoke work on a PostgreSQL store, and a provider on it publishes what they left (issue 11 §3)', async () => {
    const s = await setUp('keys');
    type Key = { kid: string; alg: string; status: string; signsFrom: string };
    const keys = async () => json<Key[]>(await s.ok('keys', 'list', '--json'));
    const initial = await keys();
    assert.deepEqual(initial.map((k) => [k.alg, k.status]).sort(), [['ES256', 'current'], ['RS256', 'current']]);
    const table = await s.ok('keys', 'list');
    for (const k of initial) assert.match(table.stdout, new RegExp(`^${k.kid}\\s+${k.alg}\\s+current\\s`, 'm'));

    const rotate = await s.ok('keys', 'rotate');
    const printed = [...rotate.stdout.matchAll(/^new (RS256|ES256) signing key (\S+): published now, signs from \S+$/gm)].map((m) => [m[1], m[2]]);
    assert.equal(printed.length, 2, rotate.stdout);
    const rotated = await keys();
    assert.equal(rotated.length, 4);
    assert.deepEqual(rotated.filter((k) => k.status === 'next').map((k) => [k.alg, k.kid]).sort(), printed.sort());

    const nextRs = rotated.find((k) => k.status === 'next' && k.alg === 'RS256') as Key;
    const currentEs = initial.find((k) => k.alg === 'ES256') as Key;
    const revokeNext = await s.ok('keys', 'revoke', '--', nextRs.kid);
    assert.match(revokeNext.stdout, new RegExp(`^revoked RS256 signing key ${nextRs.kid}\nnew RS256 signing key (\\S+): signs from ${nextRs.signsFrom.replace(/[.]/g, '\\.')}\n$`));
    const revokeCurrent = await s.ok('keys', 'revoke', '--', currentEs.kid);
    assert.match(revokeCurrent.stdout, new RegExp(`^revoked ES256 signing key ${currentEs.kid}\nnew ES256 signing key \\S+: signs from now\n$`));
    const unknown = await s.signoff('keys', 'revoke', '--', 'no-such-kid');
    assert.equal(unknown.code, 1, unknown.stderr);

    const after1 = await keys();
    assert.deepEqual(after1.filter((k) => k.status === 'revoked').map((k) => k.kid).sort(), [nextRs.kid, currentEs.kid].sort());
    const stored = await (await s.store()).listKeys();
    assert.equal(stored.filter((k) => k.revokedAt !== undefined).length, 2, 'the revocations are in the database');
    // A provider with this database's KEK opens the keys the CLI sealed and publishes all but the revoked.
    await s.start();
    const jwks = (await (await fetch(`${s.base}/jwks`)).json()) as { keys: { kid: string }[] };
    const published = jwks.keys.map((k) => k.kid).sort();
    assert.deepEqual(published, after1.filter((k) => k.status !== 'revoked').map((k) => k.kid).sort());
  });

  it('events tail prints the audit events of a PostgreSQL store, and --follow prints new ones as they are written (issue 11 §3)', async () => {
    const s = await setUp('events');
    await s.ok('users', 'add', 'alice', '--password', ALICE.password);
    await s.start();
    const browser = await signIn(s, ALICE);
    const [session] = await (await s.store()).listSessions({ limit: 1 });
    assert.ok(session && session.browserId === browserIdOf(browser));
    const tail = await s.ok('events', 'tail');
    assert.match(tail.stdout, new RegExp(`^\\S+ session\\.created session=${session.id} sub=${session.accountId}\\b`, 'm'));

    // --follow, bounded: it prints the latest event, then what `sessions end` writes, and is stopped.
    const { follower, exited, lines } = follow(s);
    await eventually(async () => (lines().length >= 1 ? true : undefined), 'the latest event from --follow', 10_000);
    assert.deepEqual(lines().map((e) => e.type), ['session.created']);
    await s.ok('sessions', 'end', '--user', 'alice');
    await eventually(async () => (lines().length >= 2 ? true : undefined), 'the new event from --follow', 10_000);
    const endedEvent = lines()[1];
    assert.deepEqual([endedEvent?.type, endedEvent?.sessionId, endedEvent?.reason, endedEvent?.actor], ['session.ended', session.id, 'admin', 'admin:cli']);
    follower.kill('SIGTERM');
    await exited;

    const latest = await s.ok('events', 'tail', '-n', '1');
    assert.match(latest.stdout, new RegExp(`^\\S+ session\\.ended session=${session.id} .*reason=admin actor=admin:cli$`, 'm'));
    assert.equal(latest.stdout.split('\n').filter(Boolean).length, 1);
    const bySession = (await s.ok('events', 'tail', '--json', '--session', session.id)).stdout.trim().split('\n');
    assert.deepEqual(bySession.map((l) => (JSON.parse(l) as { type: string }).type), ['session.created', 'session.ended']);
  });

  it('events tail --follow prints an event committed after a newer one (ids are handed out in order, committed in any order, with several writers) (issue 11 §3)', async () => {
    const s = await setUp('events-late');
    const store = await s.store();
    await store.appendEvent({ at: 1, type: 'session.created', sessionId: 'first', actor: 'user' });
    const { lines } = follow(s);
    const printed = () => lines().map((e) => e.sessionId);
    await eventually(async () => (printed().length === 1 ? true : undefined), 'the latest event from --follow', 10_000);
    // Another writer (an instance, mid-transaction) takes the next id and commits late: the one
    // statement of hand SQL here, since the store's own methods commit at once.
    const late = new pg.Client({ connectionString: s.url });
    await late.connect();
    cleanups.push(() => late.end());
    await late.query('BEGIN');
    await late.query("INSERT INTO events (at, type, session_id, actor) VALUES (2, 'session.created', 'late', 'user')");
    await store.appendEvent({ at: 3, type: 'session.created', sessionId: 'newer', actor: 'user' });
    await eventually(async () => (printed().length === 2 ? true : undefined), 'the newer event', 10_000);
    await late.query('COMMIT');
    await eventually(async () => (printed().length === 3 ? true : undefined), 'the event committed late', 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // another poll or two: nothing is printed twice
    assert.deepEqual(printed(), ['first', 'newer', 'late']);
  });

  it('a command against an unreachable PostgreSQL exits 1 with one line naming its host and port, no stack trace and no password (issue 11 §3)', async () => {
    const port = await freePort();
    const config = join(dir, 'unreachable.json');
    writeFileSync(config, JSON.stringify({ issuer: 'http://127.0.0.1:3993', store: { postgres: `postgres://signoff:s3cret-pw@127.0.0.1:${port}/signoff` }, logging: { level: 'silent' } }));
    const env = { ...cleanEnv(), SIGNOFF_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const commands = [['users', 'list'], ['sessions', 'list'], ['deliveries', 'list'], ['keys', 'list'], ['events', 'tail'], ['start']];
    const results = await Promise.all(commands.map((args) => runSignoff([...args, '--config', config], { cwd: dir, env })));
    results.forEach((r, i) => {
      const what = commands[i]?.join(' ');
      assert.equal(r.code, 1, `${what}: ${r.code} ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${what}: one line\n${r.stderr}`);
      assert.match(lines[0] ?? '', /^signoff: cannot open the PostgreSQL store /, what);
      assert.ok(lines[0]?.includes(`127.0.0.1:${port}`), `${what} names the host and port: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, STACK, `${what}: no stack trace`);
      assert.ok(!r.stderr.includes('s3cret-pw'), `${what}: the password is not printed`);
    });
  });

  it('the warning of a command that created a new, empty PostgreSQL store names store.postgres, or SIGNOFF_STORE when that chose it; an existing store gets none (issue 11 §3)', async () => {
    const s = await setUp('warning');
    const first = await s.ok('users', 'add', 'alice', '--password', ALICE.password);
    assert.equal(first.stderr, `signoff: warning: created a new, empty store at ${redactUrl(s.url)} (if you expected existing data, check --config and store.postgres)\n`);
    assert.equal((await s.ok('users', 'list')).stderr, '', 'nothing to say about an existing store');

    // SIGNOFF_STORE overrides the file's store: the file names an SQLite path that stays untouched.
    const sqlite = join(dir, 'never-created.sqlite');
    const file = join(dir, 'sqlite-file.json');
    writeFileSync(file, JSON.stringify({ issuer: 'http://127.0.0.1:3992', store: { sqlite }, users: [], logging: { level: 'silent' } }));
    const viaEnv = await runSignoff(['users', 'list', '--json', '--config', file], { cwd: dir, env: { ...s.env, SIGNOFF_STORE: s.url } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.deepEqual(json<{ username: string }[]>(viaEnv).map((u) => u.username), ['alice']);
    assert.equal(viaEnv.stderr, '');
    const other = await freshDatabase(await server());
    cleanups.push(other.drop);
    const fresh = await runSignoff(['users', 'list', '--config', file], { cwd: dir, env: { ...s.env, SIGNOFF_STORE: other.url } });
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(fresh.stderr, `signoff: warning: created a new, empty store at ${redactUrl(other.url)} (if you expected existing data, check SIGNOFF_STORE, which overrides the store of --config)\n`);
    assert.ok(!existsSync(sqlite), 'the SQLite store of the file was not opened');
  });
});
