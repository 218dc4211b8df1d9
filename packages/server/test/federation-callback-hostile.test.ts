/**
 * Issue 15 §1, the upstream's answer as an attacker sends it: Signoff's callback at
 * ISSUER/upstreams/ID/callback accepts only the answer to this browser's own request — state
 * (OIDC Core §3.1.2.1), nonce and PKCE (RFC 7636) bind it — once; every refusal is a page or a
 * spec-shaped redirect (RFC 6749 §4.1.2.1), never a 500. Also the `upstream` and `login_hint`
 * parameters that choose an upstream, prompt handling (OIDC Core §3.1.2.1, §3.1.2.6), and the
 * amr (RFC 8176) / acr the ID token carries after a federated sign-in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { type FederationWorld, OP_USER, federationBrowser, signInThrough, startFederation } from './helpers/federation.js';
import { CLIENTS, defaultClients } from './helpers/provider.js';
import { type Started, assertErrorResponse, callbackOf, startAuthorization } from './helpers/rp.js';
import { type Hop, TestBrowser, parseForm } from './helpers/browser.js';
import { MFA_ACR, PWD_ACR } from './helpers/step-up.js';
import { browserCookieName } from '../src/sessions/browser-cookie.js';

const FLOOR = { client_id: 'floor', client_secret: 'floor-secret-0123456789-0123456789-ab', redirect_uri: 'http://127.0.0.1:5101/cb' };

/** No 500 and no stack trace, whatever was sent. */
const assertNoCrash = (hop: Hop): void => {
  assert.ok(hop.status < 500, `status ${hop.status}: ${hop.body.slice(0, 300)}`);
  assert.doesNotMatch(hop.body, /node:internal|\.[jt]s:\d+:\d+|\n\s+at [\w.<>]+ \(/);
};

describe('issue 15 §1: the upstream callback and upstream choice, tested as an attacker would', () => {
  let w: FederationWorld;
  before(async () => {
    w = await startFederation({
      clients: [
        ...defaultClients(),
        { client_id: FLOOR.client_id, client_secret: FLOOR.client_secret, redirect_uris: [FLOOR.redirect_uri], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic', require_acr: MFA_ACR },
      ],
    });
  });
  after(async () => {
    await w?.close();
  });

  /** Follows redirects while they stay at `origin`. */
  const walkAt = async (browser: TestBrowser, hop: Hop, origin: string): Promise<Hop> => {
    for (let n = 0; n < 10 && hop.location?.startsWith(origin); n++) hop = await browser.request(hop.location);
    return hop;
  };

  /**
   * Starts a sign-in with upstream=op and signs in at op, stopping before Signoff's callback:
   * the URL the upstream sends the browser back to (with its code and state).
   */
  const upToCallback = async (browser: TestBrowser, extra: Record<string, string> = {}): Promise<{ started: Started; upstreamRequest: URL; callback: URL }> => {
    const started = await startAuthorization(w.web, 'web', { upstream: 'op', ...extra });
    const first = await browser.request(started.url.toString());
    assert.ok(first.location?.startsWith(w.op.issuer), `not sent to op: ${first.status} ${first.location ?? first.body.slice(0, 200)}`);
    const upstreamRequest = new URL(first.location as string);
    const login = await walkAt(browser, await browser.request(upstreamRequest.toString()), w.op.issuer);
    const form = parseForm(login.body);
    const back = await walkAt(browser, await browser.request(new URL(form.action, login.url).toString(), { form: { ...form.fields, login: OP_USER.login, password: OP_USER.password } }), w.op.issuer);
    assert.ok(back.location?.startsWith(`${w.downstream.issuer}/upstreams/op/callback`), `not back at the callback: ${back.status} ${back.location ?? back.body.slice(0, 200)}`);
    return { started, upstreamRequest, callback: new URL(back.location as string) };
  };

  const withQuery = (path: string, query: string) => `${w.downstream.issuer}${path}?${query}`;
  const hasSession = (browser: TestBrowser) => browser.cookies.has(browserCookieName(w.downstream.issuer));

  it('a state that names no interaction, or is not a state at all, is an expired page', async () => {
    const browser = federationBrowser(w);
    for (const state of [`${crypto.randomUUID()}.${'A'.repeat(43)}`, 'nonsense', '', '../../x', '__proto__']) {
      const hop = await browser.request(withQuery('/upstreams/op/callback', new URLSearchParams({ code: 'x', state }).toString()));
      assertNoCrash(hop);
      assert.ok(hop.status >= 400, `${state}: ${hop.status}`);
      assert.equal(hop.location, undefined);
    }
  });

  it('the right interaction with a wrong random part of state: refused (access_denied page), no code and no session', async () => {
    const browser = federationBrowser(w);
    const { callback } = await upToCallback(browser);
    const state = callback.searchParams.get('state') as string;
    const forged = new URL(callback);
    forged.searchParams.set('state', `${state.split('.')[0]}.${'B'.repeat(43)}`);
    const hop = await browser.request(forged.toString());
    assertNoCrash(hop);
    assert.ok(hop.status >= 400, `${hop.status} ${hop.location ?? ''}`);
    assert.ok(!hop.location?.startsWith(CLIENTS.web.redirect_uri));
    assert.ok(!hasSession(browser));
  });

  it('a callback replayed after success: the interaction is consumed — a clear page, no second code', async () => {
    const browser = federationBrowser(w);
    const { callback } = await upToCallback(browser);
    const ok = await walkAt(browser, await browser.request(callback.toString()), w.downstream.issuer);
    assert.ok(ok.location?.startsWith(CLIENTS.web.redirect_uri) && new URL(ok.location).searchParams.has('code'), `${ok.status} ${ok.location ?? ok.body.slice(0, 300)}`);
    assert.ok(hasSession(browser), 'the first answer signs in');
    const sessionCookie = browser.cookies.get(browserCookieName(w.downstream.issuer));
    const again = await browser.request(callback.toString());
    assertNoCrash(again);
    assert.ok(again.status >= 400, `${again.status} ${again.location ?? ''}`);
    assert.equal(again.location, undefined);
    assert.match(again.body, /<html/i);
    assert.equal(browser.cookies.get(browserCookieName(w.downstream.issuer)), sessionCookie, 'no second session');
  });

  it('a callback from another browser (no interaction cookie) is a 403 page, and leaves the right browser its sign-in', async () => {
    const browser = federationBrowser(w);
    const { callback, started } = await upToCallback(browser);
    const other = federationBrowser(w);
    const hop = await other.request(callback.toString());
    assertNoCrash(hop);
    assert.equal(hop.status, 403);
    assert.ok(!hasSession(other));
    const ok = await walkAt(browser, await browser.request(callback.toString()), w.downstream.issuer);
    const tokens = await oidc.authorizationCodeGrant(w.web, callbackOf(ok, 'web'), { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce, idTokenExpected: true });
    assert.ok(tokens.claims()?.sub);
  });

  it("op's answer at corp's callback path is refused (an expired page), never redeemed at the wrong upstream", async () => {
    const browser = federationBrowser(w);
    const { callback } = await upToCallback(browser);
    const hop = await browser.request(withQuery('/upstreams/corp/callback', callback.searchParams.toString()));
    assertNoCrash(hop);
    assert.ok(hop.status >= 400);
    assert.ok(!hop.location?.startsWith(CLIENTS.web.redirect_uri));
  });

  it('error=access_denied from the upstream with the right state: the sign-in page again with login.error.upstream, 401', async () => {
    const browser = federationBrowser(w);
    const started = await startAuthorization(w.web, 'web', { upstream: 'op' });
    const first = await browser.request(started.url.toString());
    const state = new URL(first.location as string).searchParams.get('state') as string;
    const hop = await browser.request(withQuery('/upstreams/op/callback', new URLSearchParams({ error: 'access_denied', error_description: '<script>alert(1)</script>', state }).toString()));
    assertNoCrash(hop);
    assert.equal(hop.status, 401);
    assert.match(hop.body, /name="upstream"/);
    assert.match(hop.body, /role="alert"/);
    assert.doesNotMatch(hop.body, /<script>alert/);
  });

  it('a missing code, or duplicated code and state parameters: refused without a 500 and without a session', async () => {
    for (const mangle of [
      (q: URLSearchParams) => q.delete('code'),
      (q: URLSearchParams) => q.append('code', 'second-code'),
      (q: URLSearchParams) => q.append('state', q.get('state') as string),
    ]) {
      const browser = federationBrowser(w);
      const { callback } = await upToCallback(browser);
      const q = new URLSearchParams(callback.search);
      mangle(q);
      const hop = await browser.request(withQuery('/upstreams/op/callback', q.toString()));
      assertNoCrash(hop);
      assert.ok(!hop.location?.startsWith(CLIENTS.web.redirect_uri), `${q}: ${hop.status} ${hop.location ?? ''}`);
      assert.ok(!hasSession(browser));
    }
  });

  it('a code swapped in from another sign-in fails PKCE and nonce: access_denied page, no session', async () => {
    const victim = federationBrowser(w);
    const attacker = federationBrowser(w);
    const theirs = await upToCallback(victim);
    const mine = await upToCallback(attacker);
    const swapped = new URL(mine.callback);
    swapped.searchParams.set('code', theirs.callback.searchParams.get('code') as string);
    const hop = await attacker.request(swapped.toString());
    assertNoCrash(hop);
    assert.ok(hop.status >= 400, `${hop.status} ${hop.location ?? ''}`);
    assert.ok(!hop.location?.startsWith(CLIENTS.web.redirect_uri));
    assert.ok(!hasSession(attacker));
  });

  it('a huge state (64 KiB) is refused without a 500', async () => {
    const hop = await federationBrowser(w).request(withQuery('/upstreams/op/callback', `code=x&state=${'s'.repeat(65536)}`));
    assertNoCrash(hop);
    assert.ok(hop.status >= 400);
  });

  it('upstream= an unknown or hostile id: the client gets invalid_request at its redirect_uri with state and iss, never a 500', async () => {
    for (const upstream of ['nobody', '../x', '__proto__', 'constructor', 'u'.repeat(1000), 'ünïcødé', 'op/../corp', 'OP']) {
      const browser = federationBrowser(w);
      const started = await startAuthorization(w.web, 'web', { upstream });
      const hop = await browser.navigate(started.url.toString());
      assertNoCrash(hop);
      await assertErrorResponse(w.web, callbackOf(hop, 'web'), started, w.downstream.issuer, 'invalid_request');
    }
  });

  it('login_hint at a domain of corp goes straight to corp; another domain shows the sign-in page', async () => {
    const browser = federationBrowser(w);
    const corp = await browser.request((await startAuthorization(w.web, 'web', { login_hint: 'someone@corp.example' })).url.toString());
    assert.ok(corp.location?.startsWith(w.corp.issuer), `${corp.status} ${corp.location ?? ''}`);
    assert.equal(new URL(corp.location as string).searchParams.get('login_hint'), 'someone@corp.example');
    const other = await federationBrowser(w).navigate((await startAuthorization(w.web, 'web', { login_hint: 'someone@other.example' })).url.toString());
    assert.equal(other.status, 200);
    assert.match(other.body, /name="upstream"/);
  });

  it('prompt=none without a downstream session answers login_required, without going upstream', async () => {
    const browser = federationBrowser(w);
    for (const extra of <Record<string, string>[]>[{ prompt: 'none' }, { prompt: 'none', upstream: 'op' }, { prompt: 'none', login_hint: 'x@corp.example' }]) {
      const started = await startAuthorization(w.web, 'web', extra);
      const hop = await browser.request(started.url.toString());
      await assertErrorResponse(w.web, callbackOf(hop, 'web'), started, w.downstream.issuer, 'login_required');
    }
  });

  it('prompt=login is passed to the upstream as prompt=login', async () => {
    const browser = federationBrowser(w);
    const hop = await browser.request((await startAuthorization(w.web, 'web', { upstream: 'op', prompt: 'login' })).url.toString());
    assert.ok(hop.location?.startsWith(w.op.issuer));
    assert.equal(new URL(hop.location as string).searchParams.get('prompt'), 'login');
    const plain = await browser.request((await startAuthorization(w.web, 'web', { upstream: 'op' })).url.toString());
    assert.equal(new URL(plain.location as string).searchParams.get('prompt'), null);
  });

  it('through op (amr pwd otp mfa): the ID token has amr fed and mfa and acr mfa (RFC 8176)', async () => {
    const claims = (await signInThrough(w, federationBrowser(w), 'op')).tokens.claims();
    assert.ok(claims);
    const amr = claims.amr as string[];
    assert.ok(amr.includes('fed') && amr.includes('mfa'), JSON.stringify(amr));
    assert.equal(claims.acr, MFA_ACR);
  });

  it('through corp (amr pwd): the ID token has amr fed and pwd, and acr password', async () => {
    const claims = (await signInThrough(w, federationBrowser(w), 'corp')).tokens.claims();
    assert.ok(claims);
    const amr = claims.amr as string[];
    assert.ok(amr.includes('fed') && amr.includes('pwd'), JSON.stringify(amr));
    assert.ok(!amr.includes('mfa'));
    assert.equal(claims.acr, PWD_ACR);
  });

  it('a client requiring acr mfa after a corp sign-in, with no local second factor enrolled: access_denied, never a code', async () => {
    const browser = federationBrowser(w);
    const floor = await oidc.discovery(new URL(w.downstream.issuer), FLOOR.client_id, FLOOR.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(floor, { redirect_uri: FLOOR.redirect_uri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, upstream: 'corp' });
    let hop = await browser.navigate(url.toString());
    if (!hop.location?.startsWith(FLOOR.redirect_uri)) hop = await w.corp.signIn(browser, w.corp.users[0] as (typeof w.corp.users)[number], hop, { follow: [w.downstream.issuer] });
    assert.ok(hop.location?.startsWith(FLOOR.redirect_uri), `${hop.status} ${hop.location ?? hop.body.slice(0, 300)}`);
    const callback = new URL(hop.location as string);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('code'), null);
  });
});
