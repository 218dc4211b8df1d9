/**
 * `id_token_hint` at the authorization endpoint (OIDC Core §3.1.2.1; issue 10 §4): the hint names
 * the user the client expects. A request is never answered for another account that happens to
 * be signed in; with several accounts in the browser, the hint selects the matching session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { TestBrowser, isLoginPage } from './helpers/browser.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import {
  EXTRA, WEB, accountIdOf, allSessions, authorizeUrl, callback, clientsWith, codeOf, exchange, extraClient, idClaims, signInFresh, silent, submitLogin,
} from './helpers/session-flows.js';

describe('id_token_hint at the authorization endpoint (OIDC Core §3.1.2.1; issue 10 §4)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  const sub = { alice: '', bob: '' };
  /** ID tokens issued to web, one per user, each from a browser of its own. */
  const idToken = { alice: '', bob: '' };

  before(async () => {
    // Sessions outlive the ID tokens' hour, so that an expired hint can name a live session.
    op = await startProvider({ session: { idleTimeout: '3h', absoluteLifetime: '10h' }, clients: clientsWith(extraClient(EXTRA.dflt)) }, { clock });
    for (const name of ['alice', 'bob'] as const) {
      sub[name] = await accountIdOf(op, name);
      const { code } = await signInFresh(op.issuer, WEB, USERS[name]);
      idToken[name] = (await exchange(op.issuer, WEB, code)).id_token;
    }
  });
  after(() => op?.close());

  const aliceOnly = async (): Promise<TestBrowser> => (await signInFresh(op.issuer, WEB, USERS.alice)).browser;

  /** Alice, then Bob, signed in on one browser. */
  const aliceAndBob = async (): Promise<TestBrowser> => {
    const browser = await aliceOnly();
    codeOf(await browser.signIn(authorizeUrl(op.issuer, WEB, { login_hint: 'bob' }), USERS.bob), WEB);
    return browser;
  };

  it("prompt=none with Bob's hint in a browser where only Alice is signed in → login_required, no code (§3.1.2.1, §3.1.2.6)", async () => {
    const browser = await aliceOnly();
    const r = await silent(browser, op.issuer, WEB, { id_token_hint: idToken.bob });
    assert.equal(r.error, 'login_required');
    assert.equal(r.code, null);
    // The same browser without the hint still gets Alice's code: the refusal is the hint's doing.
    assert.ok((await silent(browser, op.issuer, WEB)).code, 'without the hint, SSO for Alice');
  });

  it("prompt=none with Alice and Bob signed in: Bob's hint → a code whose ID token's sub is Bob, Alice's hint → Alice", async () => {
    const browser = await aliceAndBob();
    assert.equal((await silent(browser, op.issuer, WEB)).error, 'account_selection_required', 'without a hint the provider cannot choose');
    for (const name of ['bob', 'alice'] as const) {
      const r = await silent(browser, op.issuer, WEB, { id_token_hint: idToken[name] });
      assert.ok(r.code, `a code for ${name}, got ${r.error}`);
      assert.equal(idClaims(await exchange(op.issuer, WEB, r.code)).sub, sub[name], `the hint for ${name} selects ${name}'s session`);
    }
  });

  it("without prompt=none, Bob's hint where only Alice is signed in → the sign-in page filled in with bob; Alice's credentials are refused, Bob's give Bob's code", async () => {
    const browser = await aliceOnly();
    const page = await browser.navigate(authorizeUrl(op.issuer, WEB, { id_token_hint: idToken.bob }));
    assert.equal(page.status, 200);
    assert.ok(isLoginPage(page.body), `expected the sign-in page, got ${page.status} ${page.location ?? page.body.slice(0, 300)}`);
    assert.match(page.body, /name="username"[^>]*value="bob"/, 'the expected account is filled in');

    const sessionsBefore = (await allSessions(op)).length;
    const asAlice = await submitLogin(browser, page, USERS.alice);
    assert.equal(asAlice.status, 403, 'signing in as another account does not answer the request');
    assert.ok(isLoginPage(asAlice.body), 'the sign-in page again');
    assert.equal(asAlice.location, undefined, 'no redirect to the client');
    assert.equal((await allSessions(op)).length, sessionsBefore, 'and no session is created for it');

    const asBob = await submitLogin(browser, asAlice, USERS.bob);
    assert.equal(idClaims(await exchange(op.issuer, WEB, codeOf(asBob, WEB))).sub, sub.bob);
  });

  it('prompt=select_account with a hint offers only the hinted account', async () => {
    const browser = await aliceAndBob();
    const page = await browser.navigate(authorizeUrl(op.issuer, WEB, { prompt: 'select_account', id_token_hint: idToken.bob }));
    const offered = [...page.body.matchAll(/name="account" value="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(offered, [sub.bob]);
  });

  describe('a hint that is not an ID token this provider issued to this client → invalid_request to the client, never a 500 or a code', () => {
    const refused = async (hint: string, prompt?: 'none') => {
      const browser = await aliceOnly();
      const hop = await browser.request(authorizeUrl(op.issuer, WEB, { id_token_hint: hint, ...(prompt ? { prompt } : {}) }));
      const q = callback(hop, WEB);
      assert.equal(q.get('error'), 'invalid_request', `${q.get('error')}: ${q.get('error_description')}`);
      assert.equal(q.get('code'), null);
      assert.equal(q.get('iss'), op.issuer);
    };
    it('garbage', () => refused('not-a-jwt'));
    it('garbage, prompt=none', () => refused('not-a-jwt', 'none'));
    it('three base64url parts that are not a JWT', () => refused('YQ.Yg.Yw', 'none'));
    it('a tampered signature', () => refused(`${idToken.bob.slice(0, -6)}AAAAAA`, 'none'));
    it('a payload swapped for another user (signature no longer matches)', () => {
      const [h, , s] = idToken.alice.split('.');
      return refused(`${h}.${idToken.bob.split('.')[1]}.${s}`, 'none');
    });
    it('an unsigned token (alg none)', () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      return refused(`${header}.${idToken.bob.split('.')[1]}.`, 'none');
    });
    it('an ID token issued to another client', async () => {
      const { code } = await signInFresh(op.issuer, EXTRA.dflt, USERS.bob);
      await refused((await exchange(op.issuer, EXTRA.dflt, code)).id_token, 'none');
    });
    it('id_token_hint given twice', async () => {
      const browser = await aliceOnly();
      const url = `${authorizeUrl(op.issuer, WEB, { prompt: 'none', id_token_hint: idToken.alice })}&id_token_hint=${idToken.alice}`;
      assert.equal(callback(await browser.request(url), WEB).get('error'), 'invalid_request');
    });
  });

  it('an expired hint still names its user (§3.1.2.1: a hint about a past authentication): Bob only → code for Bob; Alice only → login_required', async () => {
    const bobs = (await signInFresh(op.issuer, WEB, USERS.bob)).browser;
    const alices = await aliceOnly();
    clock.advance(2 * 3600);
    const [, payload] = idToken.bob.split('.');
    assert.ok(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()).exp < clock.nowMs() / 1000, 'the hint has expired');
    const r = await silent(bobs, op.issuer, WEB, { id_token_hint: idToken.bob });
    assert.ok(r.code, `expected a code, got ${r.error}`);
    assert.equal(idClaims(await exchange(op.issuer, WEB, r.code)).sub, sub.bob);
    assert.equal((await silent(alices, op.issuer, WEB, { id_token_hint: idToken.bob })).error, 'login_required');
  });
});
