/**
 * The check_session iframe's confirmation endpoint, GET /check-session/state (issue 10 §3;
 * Session Management 1.0 §3, §3.2): the browser state must change when the sessions behind it
 * change, wherever they end — an administrator (`signoff sessions end`), a password change, an
 * idle expiry not yet swept, "sign out everywhere" on another device — not only when this browser
 * signs in or out. The endpoint answers `{"changed": boolean}` for the browser state its cookie
 * carries, never cached, never a 500, and nothing about any other browser. The iframe's use of it
 * runs in Chromium (browser-session-endings.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { parseConfig } from '../src/config/schema.js';
import { ConfigError } from '../src/config/validate.js';
import { endSessions } from '../src/sessions/end.js';
import { sweepExpiredSessions } from '../src/sessions/sweep.js';
import { TestBrowser } from './helpers/browser.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { WEB, accountIdOf, allSessions, authorizeUrl, browserIdOf, callback, cliConfigFor, clientsWith, runCli, silent } from './helpers/session-flows.js';

const STATE_COOKIE = 'signoff-state';

interface Answer {
  status: number;
  body: unknown;
  cacheControl: string | null;
  contentType: string | null;
}

/** GET /check-session/state with exactly this Cookie header (or none). */
const ask = async (op: TestProvider, cookie?: string): Promise<Answer> => {
  const res = await fetch(`${op.issuer}/check-session/state`, { headers: cookie === undefined ? {} : { cookie } });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown, cacheControl: res.headers.get('cache-control'), contentType: res.headers.get('content-type') };
};

/** What the browser's own iframe would be told: the answer for its browser-state cookie. */
const askAs = (op: TestProvider, browser: TestBrowser): Promise<Answer> => ask(op, `${STATE_COOKIE}=${browser.cookies.get(STATE_COOKIE) ?? ''}`);

const changed = async (op: TestProvider, browser: TestBrowser): Promise<boolean> => {
  const a = await askAs(op, browser);
  assert.equal(a.status, 200, JSON.stringify(a.body));
  return (a.body as { changed: boolean }).changed;
};

const signedIn = async (op: TestProvider, user: { username: string; password: string }): Promise<TestBrowser> => {
  const browser = new TestBrowser(op.issuer);
  const hop = await browser.signIn(authorizeUrl(op.issuer, WEB), user);
  assert.ok(callback(hop, WEB).get('code'), 'signed in');
  assert.ok(browser.cookies.get(STATE_COOKIE), 'a browser-state cookie');
  return browser;
};

describe('GET /check-session/state: has the browser state changed? (issue 10 §3; Session Management 1.0 §3.2)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  before(async () => {
    op = await startProvider({ session: { idleTimeout: '10m', absoluteLifetime: '1h' } }, { clock });
  });
  after(() => op?.close());

  it('without a cookie, with a malformed one, or with a random (signed-out) state: {"changed": false}, JSON, Cache-Control: no-store', async () => {
    for (const cookie of [undefined, '', `${STATE_COOKIE}=`, `${STATE_COOKIE}=not a state`, `${STATE_COOKIE}=${'x'.repeat(5000)}`, `${STATE_COOKIE}=__proto__`, 'garbage;;=;']) {
      const a = await ask(op, cookie);
      assert.equal(a.status, 200, `cookie ${String(cookie).slice(0, 40)}`);
      assert.deepEqual(a.body, { changed: false });
      assert.equal(a.cacheControl, 'no-store');
      assert.match(a.contentType ?? '', /^application\/json/);
    }
    const anonymous = new TestBrowser(op.issuer);
    assert.equal(callback(await anonymous.request(authorizeUrl(op.issuer, WEB, { prompt: 'none' })), WEB).get('error'), 'login_required');
    assert.match(anonymous.cookies.get(STATE_COOKIE) ?? '', /^[A-Za-z0-9_-]{22}$/, 'a random state: no browser behind it');
    assert.equal(await changed(op, anonymous), false);
  });

  it('a signed-in browser: {"changed": false} while its session is live, and asking does not extend the session (no write)', async () => {
    const browser = await signedIn(op, USERS.alice);
    const before = (await allSessions(op)).find((s) => s.browserId === browserIdOf(browser));
    clock.advance(9 * 60);
    assert.equal(await changed(op, browser), false);
    const later = (await allSessions(op)).find((s) => s.browserId === browserIdOf(browser));
    assert.deepEqual(later, before, 'the session record is untouched');
    clock.advance(2 * 60);
    assert.equal(await changed(op, browser), true, 'and it expired on its own idle time');
  });

  it('an administrator ends the user\'s sessions with `signoff sessions end --user` (a separate process): {"changed": true}', async () => {
    const browser = await signedIn(op, USERS.alice);
    const config = cliConfigFor(op, clientsWith());
    const r = await runCli(['sessions', 'end', '--user', USERS.alice.username, '--config', config], { cwd: op.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await changed(op, browser), true);
  });

  it('a password change (`signoff users passwd`) ends the sessions: {"changed": true}', async () => {
    const browser = await signedIn(op, USERS.bob);
    const config = cliConfigFor(op, clientsWith());
    const r = await runCli(['users', 'passwd', USERS.bob.username, '--password', 'bob-new-battery-staple-horse', '--config', config], { cwd: op.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await changed(op, browser), true);
    const reset = await runCli(['users', 'passwd', USERS.bob.username, '--password', USERS.bob.password, '--config', config], { cwd: op.dir });
    assert.equal(reset.code, 0, reset.stderr);
  });

  it('an idle expiry counts before the sweeper ends the session, and after: {"changed": true}', async () => {
    const browser = await signedIn(op, USERS.alice);
    assert.equal(await changed(op, browser), false);
    clock.advance(10 * 60 + 1);
    assert.equal(await changed(op, browser), true, 'past its idle expiry, not yet swept');
    assert.ok((await sweepExpiredSessions({ sessions: op.provider.store, clock })) >= 1);
    assert.equal(await changed(op, browser), true, 'swept');
  });

  it('an ending of every session of the account (what "sign out everywhere" on another device does): each of its browsers\' state has changed; another user\'s browser\'s has not', async () => {
    const here = await signedIn(op, USERS.alice);
    const bystander = await signedIn(op, USERS.bob);
    const there = await signedIn(op, USERS.alice);
    await endSessions({ sessions: op.provider.store, clock }, { accountId: await accountIdOf(op, USERS.alice.username) }, 'logout', 'user');
    assert.equal(await changed(op, here), true);
    assert.equal(await changed(op, there), true);
    assert.equal(await changed(op, bystander), false, 'nothing changed for another user\'s browser');
  });

  it('one account of two ending changes the state of a multi-account browser', async () => {
    const browser = await signedIn(op, USERS.alice);
    const hop = await browser.signIn(authorizeUrl(op.issuer, WEB, { prompt: 'login' }), USERS.bob);
    assert.ok(callback(hop, WEB).get('code'), 'bob signed in too');
    assert.equal(await changed(op, browser), false);
    await endSessions({ sessions: op.provider.store, clock }, { accountId: await accountIdOf(op, USERS.bob.username) }, 'admin', 'admin:test');
    assert.equal(await changed(op, browser), true);
  });

  it('after "changed", the client\'s prompt=none check gets a session_state for a state that is current again (no endless "changed")', async () => {
    const browser = await signedIn(op, USERS.alice);
    const before = browser.cookies.get(STATE_COOKIE);
    await endSessions({ sessions: op.provider.store, clock }, { accountId: await accountIdOf(op, USERS.alice.username) }, 'admin', 'admin:test');
    assert.equal(await changed(op, browser), true);
    const check = await silent(browser, op.issuer, WEB);
    assert.equal(check.error, 'login_required');
    assert.ok(callback(check.hop, WEB).get('session_state'));
    assert.notEqual(browser.cookies.get(STATE_COOKIE), before, 'a new browser state came with the response');
    assert.equal(await changed(op, browser), false);
  });

  it('the answer concerns only the state sent: a forged state naming a real browser is "changed", exactly as one naming no browser', async () => {
    const victim = await signedIn(op, USERS.alice);
    const real = victim.cookies.get(STATE_COOKIE) ?? '';
    const [browserId] = real.split('.');
    assert.equal(browserId, browserIdOf(victim), 'the state names its browser (needed to find it without the SameSite=Lax browser cookie)');
    const forged = await ask(op, `${STATE_COOKIE}=${browserId}.${'A'.repeat(22)}`);
    const nobody = await ask(op, `${STATE_COOKIE}=00000000-0000-4000-8000-000000000000.${'A'.repeat(22)}`);
    assert.deepEqual(forged.body, { changed: true });
    assert.deepEqual(nobody.body, forged.body);
    assert.equal(await changed(op, victim), false, 'the victim itself is unaffected');
  });

  it('a planted state naming another browser never brings that browser\'s current state: the authorization response replaces it with a random one', async () => {
    const victim = await signedIn(op, USERS.alice);
    const attacker = new TestBrowser(op.issuer);
    attacker.cookies.set(STATE_COOKIE, `${browserIdOf(victim)}.${'A'.repeat(22)}`);
    assert.equal((await silent(attacker, op.issuer, WEB)).error, 'login_required');
    const given = attacker.cookies.get(STATE_COOKIE) ?? '';
    assert.match(given, /^[A-Za-z0-9_-]{22}$/, 'a random state');
    assert.notEqual(given, victim.cookies.get(STATE_COOKIE));
    assert.equal(await changed(op, attacker), false);
  });

  it('a state still current is kept when the browser cookie is not sent (a cross-site iframe), and an outdated one is replaced', async () => {
    const browser = await signedIn(op, USERS.alice);
    const state = browser.cookies.get(STATE_COOKIE) ?? '';
    const crossSite = new TestBrowser(op.issuer);
    crossSite.cookies.set(STATE_COOKIE, state);
    const kept = await silent(crossSite, op.issuer, WEB);
    assert.equal(kept.error, 'login_required', 'the SameSite=Lax browser cookie is missing');
    assert.equal(crossSite.cookies.get(STATE_COOKIE), state, 'kept: the client can keep watching');
    await endSessions({ sessions: op.provider.store, clock }, { accountId: await accountIdOf(op, USERS.alice.username) }, 'admin', 'admin:test');
    await silent(crossSite, op.issuer, WEB);
    assert.notEqual(crossSite.cookies.get(STATE_COOKIE), state, 'replaced once outdated');
    assert.equal(await changed(op, crossSite), false);
  });

  it('the browser state changes at sign-in even when the same account signs in again (the browser secret is replaced)', async () => {
    const browser = await signedIn(op, USERS.alice);
    const first = browser.cookies.get(STATE_COOKIE);
    await browser.signIn(authorizeUrl(op.issuer, WEB, { prompt: 'login' }), USERS.alice);
    assert.notEqual(browser.cookies.get(STATE_COOKIE), first);
  });
});

describe('GET /check-session/state when the store fails (issue 10 §3: never a 500)', () => {
  it('answers 503 temporarily_unavailable, not 500 (the iframe then falls back to the cookie alone)', async () => {
    const op = await startProvider();
    try {
      const browser = await signedIn(op, USERS.alice);
      await op.provider.store.close();
      const a = await askAs(op, browser);
      assert.equal(a.status, 503);
      assert.deepEqual(a.body, { error: 'temporarily_unavailable', error_description: 'The session state could not be confirmed.' });
      assert.equal(a.cacheControl, 'no-store');
    } finally {
      await op.close();
    }
  });
});

describe('checkSession.confirmInterval (issue 10 §3): how long the iframe trusts a confirmation', () => {
  it('defaults to 5 s, takes a duration, and a bad value fails at start-up naming the key', () => {
    assert.equal(parseConfig({ issuer: 'http://127.0.0.1:4000' }).checkSession.confirmInterval, 5);
    assert.equal(parseConfig({ issuer: 'http://127.0.0.1:4000', checkSession: { confirmInterval: '2s' } }).checkSession.confirmInterval, 2);
    for (const bad of ['0s', 'soon', -1, '1.5s']) {
      assert.throws(() => parseConfig({ issuer: 'http://127.0.0.1:4000', checkSession: { confirmInterval: bad } }), (err: unknown) => err instanceof ConfigError && err.key === 'checkSession.confirmInterval');
    }
  });
});
