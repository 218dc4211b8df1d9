/**
 * The database lost while `signoff start` runs, then back (issue 11 §2 "Bad situations"): the link
 * to it cut or frozen by a TCP relay on loopback (test/helpers/tcp-link.ts) and restored, or its
 * connections ended by `pg_terminate_backend`. The provider runs as the real process: an unhandled
 * rejection or an 'error' event nobody hears would end it, and the tests check that it did not.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import pg from 'pg';
import type { LogoutDelivery } from '../src/logout/back-channel/outbox.js';
import { PostgresStore } from '../src/store/postgres/store.js';
import { TestBrowser, isLoginPage, parseForm } from './helpers/browser.js';
import { type PostgresServer, type TestDatabase, freshDatabase, usePostgres } from './helpers/postgres.js';
import { USERS, defaultClients, freePort } from './helpers/provider.js';
import { type Receiver, eventually, startReceiver } from './helpers/receiver.js';
import { type Tokens, WEB, authorizeUrl, codeOf, exchange, post, refresh } from './helpers/session-flows.js';
import { type RunningSignoff, STACK, runSignoff, startSignoff } from './helpers/signoff-process.js';
import { type TcpLink, startTcpLinkTo } from './helpers/tcp-link.js';

const postgresServer = usePostgres();
const dir = mkdtempSync(join(tmpdir(), 'signoff-outage-'));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const writeConfig = (name: string, body: Record<string, unknown>): string => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ logging: { level: 'warn' }, ...body }));
  return file;
};

interface Instance {
  base: string;
  op: RunningSignoff;
  db: TestDatabase;
  link: TcpLink;
  rx: Receiver;
  /** What the application's back-channel endpoint answers now. */
  answer: { status: number };
  /** The store read directly, not through the link. */
  direct: PostgresStore;
  /** A configuration for the `signoff` command that reaches the database directly. */
  cliConfig: string;
  server: PostgresServer;
}

/**
 * One `signoff start` on a fresh database reached through a TCP link the test can cut, with the
 * `web` client's back-channel endpoint on loopback; `backchannel` settings override the defaults.
 */
const startInstance = async (name: string, backchannel: Record<string, unknown> = {}): Promise<Instance> => {
  const server = await postgresServer();
  const db = await freshDatabase(server);
  cleanups.push(db.drop);
  const link = await startTcpLinkTo(db.url);
  cleanups.push(link.close);
  const answer = { status: 204 };
  const rx = await startReceiver(() => answer.status);
  cleanups.push(rx.close);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const clients = defaultClients().map((c) => (c.client_id === 'web' ? { ...c, backchannel_logout_uri: rx.url } : c));
  const common = { issuer: base, clients, users: [USERS.alice], session: { sweepInterval: '1s' }, backchannel: { attemptTimeout: '1s', ...backchannel } };
  const config = writeConfig(name, { ...common, store: { postgres: link.via(db.url), poolSize: 4 } });
  const cliConfig = writeConfig(`${name}-cli`, { ...common, store: { postgres: db.url } });
  const op = await startSignoff(config, port, dir);
  cleanups.push(async () => {
    op.child.kill('SIGKILL');
    await op.exited;
  });
  const direct = await PostgresStore.open(db.url, 2);
  cleanups.push(() => direct.close());
  return { base, op, db, link, rx, answer, direct, cliConfig, server };
};

/** Signs alice in on a fresh browser and exchanges the code. */
const signIn = async (base: string): Promise<{ browser: TestBrowser; tokens: Tokens }> => {
  const browser = new TestBrowser(base);
  const code = codeOf(await browser.signIn(authorizeUrl(base, WEB), USERS.alice), WEB);
  return { browser, tokens: await exchange(base, WEB, code) };
};

const logoutUrl = (base: string, tokens: Tokens): string => `${base}/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:5001/' })}`;

const sidOf = (tokens: Tokens): string => decodeJwt(tokens.id_token).sid as string;
const sidsReceived = (rx: Receiver): string[] => rx.received.map((r) => decodeJwt(r.logoutToken).sid as string);
const deliveries = (i: Instance): Promise<LogoutDelivery[]> => i.direct.listDeliveries({ limit: 1000 });

/** Fails unless the process still runs and never answered a request with an unexpected failure. */
const assertAlive = (i: Instance): void => {
  assert.equal(i.op.child.exitCode, null, `signoff exited:\n${i.op.stderr()}`);
  assert.equal(i.op.child.signalCode, null, `signoff was killed:\n${i.op.stderr()}`);
  assert.doesNotMatch(i.op.stdout(), /unhandled error/, 'no request ended in a 500');
  assert.doesNotMatch(i.op.stderr(), /unhandled|uncaught/i);
  assert.doesNotMatch(i.op.stderr(), STACK);
};

const expectUnavailablePage = (hop: { status: number; body: string; headers: Headers }, what: string): void => {
  assert.equal(hop.status, 503, `${what}: ${hop.status} ${hop.body.slice(0, 200)}`);
  assert.match(hop.headers.get('content-type') ?? '', /^text\/html/, what);
  assert.match(hop.body, /temporarily_unavailable/, what);
  assert.ok(Number(hop.headers.get('retry-after')) > 0, `${what}: Retry-After`);
};

const expectUnavailableJson = async (res: Response, what: string): Promise<void> => {
  const text = await res.text();
  assert.equal(res.status, 503, `${what}: ${res.status} ${text}`);
  assert.equal((JSON.parse(text) as { error: string }).error, 'temporarily_unavailable', what);
  assert.ok(Number(res.headers.get('retry-after')) > 0, `${what}: Retry-After`);
};

describe('the database lost while the provider runs, then back (issue 11 §2)', () => {
  it('link cut: 503 with Retry-After (JSON on the API, the error page in the browser), not ready, the process stays up, pending deliveries stay pending; link restored: sign-in, token, logout and the owed deliveries work again by themselves', { timeout: 90_000 }, async () => {
    const i = await startInstance('cut');
    // Before the outage: a session whose back-channel notification the application refuses for
    // now (503), so its row is pending when the database goes; a session still open; a sign-in page.
    i.answer.status = 503;
    const ended = await signIn(i.base);
    assert.equal((await ended.browser.request(logoutUrl(i.base, ended.tokens))).status < 400, true, 'logout before the outage');
    await eventually(async () => ((await deliveries(i)).some((d) => d.status === 'pending' && d.lastError !== undefined) ? true : undefined), 'a refused first attempt', 10_000);
    const open = await signIn(i.base);
    const waiting = new TestBrowser(i.base);
    const loginPage = await waiting.navigate(authorizeUrl(i.base, WEB));
    assert.ok(isLoginPage(loginPage.body));
    const metricsBefore = await fetch(`${i.op.management}/metrics`);
    assert.equal(metricsBefore.status, 200);
    await metricsBefore.arrayBuffer();

    i.link.cut();
    // Browser routes: the error page with 503.
    expectUnavailablePage(await new TestBrowser(i.base).request(authorizeUrl(i.base, WEB)), 'GET /authorize');
    const form = parseForm(loginPage.body);
    expectUnavailablePage(await waiting.request(new URL(form.action, loginPage.url).toString(), { form: { ...form.fields, username: USERS.alice.username, password: USERS.alice.password } }), 'POST of the sign-in form');
    expectUnavailablePage(await waiting.request(loginPage.url), 'GET of the sign-in page');
    expectUnavailablePage(await open.browser.request(logoutUrl(i.base, open.tokens)), 'GET /logout');
    // API routes: the JSON error with 503.
    const refreshed = await refresh(i.base, WEB, open.tokens.refresh_token as string);
    assert.equal(refreshed.status, 503, JSON.stringify(refreshed.body));
    assert.equal(refreshed.body.error, 'temporarily_unavailable');
    await expectUnavailableJson(await fetch(`${i.base}/userinfo`, { headers: { authorization: `Bearer ${open.tokens.access_token}` } }), 'GET /userinfo');
    await expectUnavailableJson(await fetch(`${i.base}/jwks`), 'GET /jwks');
    // RFC 7009 §2.2.1 names 503 for a revocation endpoint that is temporarily unavailable.
    for (const endpoint of ['/revoke', '/introspect']) {
      const r = await post(`${i.base}${endpoint}`, { token: open.tokens.refresh_token as string }, WEB);
      assert.equal(r.status, 503, `${endpoint}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, 'temporarily_unavailable', endpoint);
    }
    // Liveness stays up (the process answers); readiness takes it out of a load balancer's rotation.
    assert.equal((await fetch(`${i.base}/healthz`)).status, 200);
    const ready = await fetch(`${i.op.management}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'unavailable' });
    // Metrics still answer: the gauges read from the store are NaN, this process's counters stay.
    const metrics = await fetch(`${i.op.management}/metrics`);
    const text = await metrics.text();
    assert.equal(metrics.status, 200, text);
    assert.match(text, /^signoff_sessions_open nan$/im);
    assert.match(text, /^signoff_backchannel_pending nan$/im);
    assert.match(text, /^signoff_tokens_issued_total\{grant_type="authorization_code"\} 2$/m);
    // Sweeps (every second here), worker polls (every second) and the LISTEN connection's retries
    // all meet the lost database meanwhile.
    await sleep(3000);
    assertAlive(i);
    const owed = await deliveries(i);
    assert.deepEqual(owed.map((d) => d.status), ['pending'], 'the owed notification is neither failed nor lost');
    assert.equal(owed[0]?.sid, sidOf(ended.tokens));

    i.answer.status = 204;
    i.link.restore();
    // Back by itself: the owed notification goes out, and every flow works again.
    await eventually(async () => ((await deliveries(i)).every((d) => d.status === 'delivered') ? true : undefined), 'the owed notification delivered', 20_000);
    assert.ok(sidsReceived(i.rx).includes(sidOf(ended.tokens)));
    assert.equal((await fetch(`${i.op.management}/readyz`)).status, 200);
    const again = await signIn(i.base);
    const renewed = await refresh(i.base, WEB, open.tokens.refresh_token as string);
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    assert.equal((await open.browser.request(logoutUrl(i.base, open.tokens))).status < 400, true, 'logout after the outage');
    await eventually(async () => (sidsReceived(i.rx).includes(sidOf(open.tokens)) ? true : undefined), 'the new logout notification', 10_000);
    assert.equal((await again.browser.request(logoutUrl(i.base, again.tokens))).status < 400, true);
    assertAlive(i);
  });

  it('a network that drops packets (no reset): requests answer 503 within the connect and statement timeouts instead of hanging, and work again once it is back', { timeout: 90_000 }, async () => {
    const i = await startInstance('frozen');
    const open = await signIn(i.base);
    i.link.freeze();
    const started = Date.now();
    const management = Promise.all([fetch(`${i.op.management}/readyz`), fetch(`${i.op.management}/metrics`)]).then(async ([ready, metrics]) => ({
      ready: ready.status,
      metrics: { status: metrics.status, text: await metrics.text() },
      ms: Date.now() - started,
    }));
    const [page, token, probes] = await Promise.all([
      new TestBrowser(i.base).request(authorizeUrl(i.base, WEB)),
      refresh(i.base, WEB, open.tokens.refresh_token as string),
      management,
    ]);
    // At most a statement timeout (15 s) on a pooled connection, then a connect timeout (5 s).
    assert.ok(Date.now() - started < 25_000, `answered after ${Date.now() - started} ms`);
    expectUnavailablePage(page, 'GET /authorize');
    assert.equal(token.status, 503, JSON.stringify(token.body));
    // Probes and scrapes answer within their own short bound (2 s), well inside a scraper's timeout.
    assert.equal(probes.ready, 503);
    assert.equal(probes.metrics.status, 200);
    assert.match(probes.metrics.text, /^signoff_sessions_open nan$/im);
    assert.ok(probes.ms < 5000, `readiness and metrics answered after ${probes.ms} ms`);
    assertAlive(i);
    i.link.restore();
    await eventually(async () => ((await fetch(`${i.op.management}/readyz`)).status === 200 ? true : undefined), 'ready again', 20_000);
    await signIn(i.base);
    assert.equal((await refresh(i.base, WEB, open.tokens.refresh_token as string)).status, 200);
    assertAlive(i);
  });

  it('SIGTERM while the database is away: the provider still stops cleanly (exit 0) within its grace period', { timeout: 40_000 }, async () => {
    const i = await startInstance('stop-while-away');
    await signIn(i.base);
    i.link.cut();
    assert.equal((await fetch(`${i.op.management}/readyz`)).status, 503);
    i.op.child.kill('SIGTERM');
    const code = await Promise.race([i.op.exited.then(() => i.op.child.exitCode), sleep(15_000).then(() => 'still running')]);
    assert.equal(code, 0, i.op.stderr());
  });

  it('connections ended by pg_terminate_backend: never a 500 or a crash, and the pool and the LISTEN connection come back by themselves', { timeout: 60_000 }, async () => {
    // A poll interval far beyond the test: only the LISTEN connection can wake the worker for an
    // ending written by another process.
    const i = await startInstance('terminate', { pollInterval: '600s' });
    const { tokens } = await signIn(i.base);
    const admin = new pg.Client({ connectionString: i.server.adminUrl });
    await admin.connect();
    cleanups.push(() => admin.end());
    // The outbox's LISTEN connection, and the signing keys' (issue 18), opened by the sign-in's tokens.
    const listeningOn = async (channel: string): Promise<boolean> =>
      (await admin.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query = $2', [i.db.name, `LISTEN ${channel}`])).rowCount === 1;
    const listening = async (): Promise<boolean> => (await listeningOn('signoff_outbox')) && (await listeningOn('signoff_keys'));
    await eventually(async () => ((await listening()) ? true : undefined), 'the LISTEN connections', 10_000);
    // Requests in flight while every connection of the database is ended: reads, and sign-in
    // steps that write in a transaction (an interaction, then a session).
    const inFlight = Array.from({ length: 9 }, (_, n) =>
      n % 3 === 0
        ? fetch(`${i.base}/jwks`).then((r) => r.status)
        : n % 3 === 1
          ? fetch(`${i.base}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } }).then((r) => r.status)
          : new TestBrowser(i.base).signIn(authorizeUrl(i.base, WEB), USERS.alice).then((hop) => (hop.location?.startsWith(WEB.redirect_uri) ? 200 : hop.status)),
    );
    const ended = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [i.db.name]);
    assert.ok((ended.rowCount ?? 0) >= 2, 'the pool and the LISTEN connection were ended');
    for (const status of await Promise.all(inFlight)) assert.ok(status === 200 || status === 503, `answered ${status}`);
    // Every statement after it gets a new connection.
    for (let n = 0; n < 4; n++) assert.equal((await fetch(`${i.base}/jwks`)).status, 200);
    assert.equal((await fetch(`${i.op.management}/readyz`)).status, 200);
    await eventually(async () => ((await listening()) ? true : undefined), 'the LISTEN connections back', 15_000);
    const cli = await runSignoff(['sessions', 'end', '--user', 'alice', '--config', i.cliConfig], { cwd: dir });
    assert.equal(cli.code, 0, cli.stderr);
    // alice's sessions of the burst above, and the first.
    await eventually(async () => (sidsReceived(i.rx).includes(sidOf(tokens)) ? true : undefined), 'the notification of the first session', 10_000);
    await eventually(async () => ((await deliveries(i)).every((d) => d.status === 'delivered') ? true : undefined), 'recorded as delivered', 10_000);
    assertAlive(i);
  });
});
