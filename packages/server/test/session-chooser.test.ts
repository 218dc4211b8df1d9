/**
 * Several accounts in one browser and every `prompt` behaviour (OIDC Core §3.1.2.1 prompt,
 * max_age, login_hint; §3.1.2.6 login_required, account_selection_required; DESIGN.md "Domain
 * model": a browser holds the SSO sessions of one or more accounts — account chooser).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { type Hop, TestBrowser, isLoginPage, parseForm } from './helpers/browser.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import {
  CAROL, WEB, accountIdOf, allSessions, authorizeUrl, browserIdOf, callback, codeOf, exchange, idClaims, signInFresh, silent, submitLogin,
} from './helpers/session-flows.js';

const isChooser = (html: string): boolean => /name="account"/.test(html);

/** The chooser page: its form, and the account values offered ("" is "Use another account"). */
const chooser = (hop: Hop): { action: string; csrf: string; accounts: string[]; other: boolean } => {
  assert.equal(hop.status, 200, `expected the account chooser, got ${hop.status} ${hop.location ?? ''}`);
  assert.ok(isChooser(hop.body), `expected the account chooser, got:\n${hop.body.slice(0, 400)}`);
  const form = parseForm(hop.body);
  const values = [...hop.body.matchAll(/name="account" value="([^"]*)"/g)].map((m) => m[1] as string);
  return {
    action: new URL(form.action, hop.url).toString(),
    csrf: form.fields.csrf_token ?? '',
    accounts: values.filter((v) => v !== '').sort(),
    other: values.includes(''),
  };
};

describe('account chooser and prompt (OIDC Core §3.1.2.1, §3.1.2.6; DESIGN.md "Domain model": Browser)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  const sub = { alice: '', bob: '', carol: '' };
  before(async () => {
    op = await startProvider({ users: [...Object.values(USERS), CAROL] }, { clock });
    for (const name of ['alice', 'bob', 'carol'] as const) sub[name] = await accountIdOf(op, name);
  });
  after(() => op?.close());

  /** Alice signs in, then bob on the same browser (login_hint=bob: bob is not signed in here, so the sign-in page). */
  const twoAccounts = async (): Promise<TestBrowser> => {
    const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
    const hop = await browser.signIn(authorizeUrl(op.issuer, WEB, { login_hint: 'bob' }), USERS.bob);
    codeOf(hop, WEB);
    const open = await op.provider.store.listSessions({ browserId: browserIdOf(browser), limit: 10 });
    assert.deepEqual(open.map((s) => s.accountId).sort(), [sub.alice, sub.bob].sort(), 'one browser, two account sessions');
    return browser;
  };

  /** Posts the chooser's form with `account` and follows the result. */
  const choose = (browser: TestBrowser, page: ReturnType<typeof chooser>, account: string): Promise<Hop> =>
    browser.navigate(page.action, { form: { csrf_token: page.csrf, account } });

  it('prompt=select_account with one account signed in shows the chooser (that account and "Use another account"); choosing it returns a code for it', async () => {
    const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
    const page = chooser(await browser.navigate(authorizeUrl(op.issuer, WEB, { prompt: 'select_account' })));
    assert.deepEqual(page.accounts, [sub.alice]);
    assert.ok(page.other, 'the chooser offers "Use another account"');
    assert.match(page.csrf, /\S{16,}/, 'the chooser form carries a CSRF token');
    const tokens = await exchange(op.issuer, WEB, codeOf(await choose(browser, page, sub.alice), WEB));
    assert.equal(idClaims(tokens).sub, sub.alice);
  });

  it('prompt=select_account with two accounts lists both; the code of the chosen account yields an ID token whose sub is that account, each with its own sid', async () => {
    const browser = await twoAccounts();
    const sids: Record<string, string> = {};
    for (const name of ['bob', 'alice'] as const) {
      const page = chooser(await browser.navigate(authorizeUrl(op.issuer, WEB, { prompt: 'select_account' })));
      assert.deepEqual(page.accounts, [sub.alice, sub.bob].sort());
      const claims = idClaims(await exchange(op.issuer, WEB, codeOf(await choose(browser, page, sub[name]), WEB)));
      assert.equal(claims.sub, sub[name], `chose ${name}`);
      sids[name] = claims.sid;
    }
    assert.notEqual(sids.alice, sids.bob, 'each account session has its own sid for the client');
  });

  it('"Use another account" shows an empty sign-in page; signing in adds a third account session to the same browser cookie', async () => {
    const browser = await twoAccounts();
    const browserId = browserIdOf(browser);
    const page = chooser(await browser.navigate(authorizeUrl(op.issuer, WEB, { prompt: 'select_account' })));
    const login = await choose(browser, page, '');
    assert.ok(isLoginPage(login.body), `"Use another account" leads to the sign-in page, got ${login.status} ${login.location ?? ''}`);
    assert.match(login.body, /name="username"[^>]*value=""/, 'no account is pre-filled');
    const tokens = await exchange(op.issuer, WEB, codeOf(await submitLogin(browser, login, CAROL), WEB));
    assert.equal(idClaims(tokens).sub, sub.carol);
    assert.equal(browserIdOf(browser), browserId, 'the same browser (cookie id) holds the new session');
    const open = await op.provider.store.listSessions({ browserId, limit: 10 });
    assert.deepEqual(open.map((s) => s.accountId).sort(), [sub.alice, sub.bob, sub.carol].sort());
    assert.deepEqual(chooser(await browser.navigate(authorizeUrl(op.issuer, WEB))).accounts, [sub.alice, sub.bob, sub.carol].sort());
  });

  it('"Use another account" with an account already signed in here re-authenticates it: at most one session per account per browser', async () => {
    const browser = await twoAccounts();
    const page = chooser(await browser.navigate(authorizeUrl(op.issuer, WEB, { prompt: 'select_account' })));
    const tokens = await exchange(op.issuer, WEB, codeOf(await submitLogin(browser, await choose(browser, page, ''), USERS.alice), WEB));
    assert.equal(idClaims(tokens).sub, sub.alice);
    const open = await op.provider.store.listSessions({ browserId: browserIdOf(browser), limit: 10 });
    assert.deepEqual(open.map((s) => s.accountId).sort(), [sub.alice, sub.bob].sort());
  });

  it('the chooser signs in only accounts of this browser and only with its CSRF token: a forged account or a missing token gets no code', async () => {
    const browser = await twoAccounts();
    const page = chooser(await browser.navigate(authorizeUrl(op.issuer, WEB, { prompt: 'select_account' })));
    const forged = await choose(browser, page, sub.carol);
    assert.ok(!forged.location?.startsWith(WEB.redirect_uri), `no redirect to the client for an account not signed in here: ${forged.location}`);
    const noCsrf = await browser.navigate(page.action, { form: { account: sub.alice } });
    assert.ok(noCsrf.status >= 400 && noCsrf.status < 500, `missing CSRF token: ${noCsrf.status}`);
    assert.ok(!noCsrf.location?.startsWith(WEB.redirect_uri));
    const open = await op.provider.store.listSessions({ browserId: browserIdOf(browser), limit: 10 });
    assert.deepEqual(open.map((s) => s.accountId).sort(), [sub.alice, sub.bob].sort(), 'no session for the forged account');
  });

  it('several accounts, no login_hint and no prompt: the chooser is shown instead of a code', async () => {
    const browser = await twoAccounts();
    const hop = await browser.navigate(authorizeUrl(op.issuer, WEB));
    assert.ok(!hop.location?.startsWith(WEB.redirect_uri), `no redirect to the client: ${hop.location}`);
    assert.deepEqual(chooser(hop).accounts, [sub.alice, sub.bob].sort());
  });

  it('several accounts, no login_hint and prompt=none: error=account_selection_required on the redirect, with state and iss (OIDC Core §3.1.2.6)', async () => {
    const browser = await twoAccounts();
    const r = await silent(browser, op.issuer, WEB);
    assert.equal(r.error, 'account_selection_required');
    assert.equal(r.code, null);
    assert.equal(callback(r.hop, WEB).get('iss'), op.issuer);
  });

  it('login_hint picks each signed-in account silently, by username or by sub (OIDC Core §3.1.2.1 login_hint)', async () => {
    const browser = await twoAccounts();
    const cases: [string, Record<string, string>][] = [
      ['alice', { login_hint: 'alice' }],
      ['bob', { login_hint: 'bob' }],
      ['bob', { login_hint: sub.bob }],
      ['alice', { login_hint: sub.alice }],
    ];
    for (const [name, over] of cases) {
      const r = await silent(browser, op.issuer, WEB, over);
      assert.ok(r.code, `prompt=none ${JSON.stringify(over)}: ${r.error}`);
      assert.equal(idClaims(await exchange(op.issuer, WEB, r.code)).sub, sub[name as 'alice' | 'bob'], JSON.stringify(over));
    }
    // Without prompt=none, too: no page at all, the code comes straight back.
    const hop = await browser.request(authorizeUrl(op.issuer, WEB, { login_hint: 'bob' }));
    assert.equal(idClaims(await exchange(op.issuer, WEB, codeOf(hop, WEB))).sub, sub.bob);
  });

  it('an unknown login_hint shows the sign-in page, or login_required with prompt=none, and creates no session (OIDC Core §3.1.2.6)', async () => {
    const browser = await twoAccounts();
    const before1 = (await allSessions(op)).length;
    const r = await silent(browser, op.issuer, WEB, { login_hint: 'nobody' });
    assert.equal(r.error, 'login_required');
    const hop = await browser.navigate(authorizeUrl(op.issuer, WEB, { login_hint: 'nobody' }));
    assert.ok(isLoginPage(hop.body), `expected the sign-in page, got ${hop.status} ${hop.location ?? ''}`);
    const fresh = await silent(new TestBrowser(op.issuer), op.issuer, WEB, { login_hint: 'nobody' });
    assert.equal(fresh.error, 'login_required');
    assert.equal((await allSessions(op)).length, before1, 'no session was created');
  });

  it('prompt=select_account with no account signed in shows the sign-in page', async () => {
    const hop = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, WEB, { prompt: 'select_account' }));
    assert.ok(isLoginPage(hop.body), `expected the sign-in page, got ${hop.status} ${hop.location ?? ''}`);
  });

  it('prompt=none combined with login, consent or select_account is invalid_request, and no session is created (OIDC Core §3.1.2.1)', async () => {
    const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
    const before1 = (await allSessions(op)).length;
    for (const prompt of ['none login', 'login none', 'none select_account', 'none consent']) {
      for (const b of [browser, new TestBrowser(op.issuer)]) {
        const url = authorizeUrl(op.issuer, WEB, { prompt });
        const q = callback(await b.navigate(url), WEB);
        assert.equal(q.get('error'), 'invalid_request', `prompt=${prompt}`);
        assert.equal(q.get('code'), null);
        assert.equal(q.get('state'), new URL(url).searchParams.get('state'));
      }
    }
    assert.equal((await allSessions(op)).length, before1, 'no session was created');
  });

  it('max_age that is not a non-negative integer (-1, abc, 1.5, 1e3, +5) is invalid_request, and no session is created (OIDC Core §3.1.2.1 max_age)', async () => {
    const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
    const before1 = (await allSessions(op)).length;
    for (const max_age of ['-1', 'abc', '1.5', '1e3', '+5']) {
      for (const b of [browser, new TestBrowser(op.issuer)]) {
        const q = callback(await b.navigate(authorizeUrl(op.issuer, WEB, { max_age })), WEB);
        assert.equal(q.get('error'), 'invalid_request', `max_age=${max_age}`);
        assert.equal(q.get('code'), null);
      }
    }
    assert.equal((await allSessions(op)).length, before1, 'no session was created');
  });

  it('prompt=login shows the sign-in page although signed in, and the re-authentication updates auth_time in the ID token while keeping the session (OIDC Core §3.1.2.1, §2 auth_time)', async () => {
    const signedInAt = Math.floor(clock.nowMs() / 1000);
    const { browser, code } = await signInFresh(op.issuer, WEB, USERS.alice);
    const first = idClaims(await exchange(op.issuer, WEB, code));
    assert.equal(first.auth_time, signedInAt);
    clock.advance(120);
    const hop = await browser.navigate(authorizeUrl(op.issuer, WEB, { prompt: 'login' }));
    assert.match(hop.body, /name="username"[^>]*value="alice"/, 'the sign-in page names the signed-in account');
    const again = idClaims(await exchange(op.issuer, WEB, codeOf(await submitLogin(browser, hop, USERS.alice), WEB)));
    assert.equal(again.auth_time, signedInAt + 120, 'auth_time is the re-authentication');
    assert.equal(again.sid, first.sid, 'the same session');
    const later = await silent(browser, op.issuer, WEB);
    assert.ok(later.code, `${later.error}`);
    assert.equal(idClaims(await exchange(op.issuer, WEB, later.code)).auth_time, signedInAt + 120, 'SSO reports the latest authentication');
  });

  it('max_age younger than the authentication returns a code silently; older (or 0) forces a sign-in that updates auth_time (OIDC Core §3.1.2.1 max_age)', async () => {
    const signedInAt = Math.floor(clock.nowMs() / 1000);
    const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
    clock.advance(100);
    const young = await silent(browser, op.issuer, WEB, { max_age: '600' });
    assert.ok(young.code, `max_age=600 after 100 s: ${young.error}`);
    assert.equal(idClaims(await exchange(op.issuer, WEB, young.code)).auth_time, signedInAt);
    assert.equal((await silent(browser, op.issuer, WEB, { max_age: '60' })).error, 'login_required', 'max_age=60 after 100 s, prompt=none');
    const hop = await browser.navigate(authorizeUrl(op.issuer, WEB, { max_age: '60' }));
    const reauth = idClaims(await exchange(op.issuer, WEB, codeOf(await submitLogin(browser, hop, USERS.alice), WEB)));
    assert.equal(reauth.auth_time, signedInAt + 100);
    clock.advance(5);
    const zero = await browser.navigate(authorizeUrl(op.issuer, WEB, { max_age: '0' }));
    assert.ok(isLoginPage(zero.body), 'max_age=0 always asks for a sign-in');
    assert.equal(idClaims(await exchange(op.issuer, WEB, codeOf(await submitLogin(browser, zero, USERS.alice), WEB))).auth_time, signedInAt + 105);
  });
});
