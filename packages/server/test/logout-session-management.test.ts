/**
 * OpenID Connect Session Management 1.0 over real HTTP: `session_state` in authorization
 * responses, the browser-state cookie it is computed from, and the check_session iframe page.
 * The iframe's script itself runs in Chromium (browser-logout tests).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Hop, TestBrowser, parseForm } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { type TestClient, authorizeUrl, callback, exchange } from './helpers/session-flows.js';

const WEB: TestClient = CLIENTS.web;
const STATE_COOKIE = 'signoff-state';

let op: TestProvider;
before(async () => {
  op = await startProvider();
});
after(() => op?.close());

/** The Set-Cookie line of one cookie in a response. */
const setCookieLine = (hop: Hop, name: string): string | undefined => hop.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));

/** §3: base64url(SHA-256(client_id + " " + origin + " " + browser state + " " + salt)) + "." + salt. */
const expected = (clientId: string, origin: string, browserState: string, salt: string): string =>
  `${createHash('sha256').update(`${clientId} ${origin} ${browserState} ${salt}`).digest('base64url')}.${salt}`;

const assertRecomputes = (sessionState: string | null, browser: TestBrowser): void => {
  assert.ok(sessionState, 'session_state is present');
  assert.doesNotMatch(sessionState, /\s/, 'no spaces');
  const salt = sessionState.slice(sessionState.lastIndexOf('.') + 1);
  const state = browser.cookies.get(STATE_COOKIE) ?? '';
  assert.equal(sessionState, expected(WEB.client_id, new URL(WEB.redirect_uri).origin, state, salt));
};

describe('Session Management 1.0', () => {
  it('every successful authorization response carries session_state computed as §3 describes, from the browser-state cookie', async () => {
    const browser = new TestBrowser(op.issuer);
    const hop = await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.alice);
    assertRecomputes(callback(hop, WEB).get('session_state'), browser);
    const sso = await browser.request(authorizeUrl(op.issuer, WEB, { prompt: 'none' }));
    assert.ok(callback(sso, WEB).get('code'));
    assertRecomputes(callback(sso, WEB).get('session_state'), browser);
  });

  it('session_state is also in the form_post response (§2)', async () => {
    const browser = new TestBrowser(op.issuer);
    await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.alice);
    const page = await browser.request(authorizeUrl(op.issuer, WEB, { response_mode: 'form_post' }));
    assert.match(parseForm(page.body).fields.session_state ?? '', /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]+$/);
  });

  it('error responses carry session_state too, different for each request (random salt), so a client can start watching after login_required', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = callback(await browser.request(authorizeUrl(op.issuer, WEB, { prompt: 'none' })), WEB);
    const second = callback(await browser.request(authorizeUrl(op.issuer, WEB, { prompt: 'none' })), WEB);
    assert.equal(first.get('error'), 'login_required');
    assert.notEqual(first.get('session_state'), second.get('session_state'));
    assertRecomputes(first.get('session_state'), browser);
    assertRecomputes(second.get('session_state'), browser);
  });

  it('the browser-state cookie is readable by script (not HttpOnly), SameSite=None; Secure for cross-site iframes, and holds only a random value', async () => {
    const browser = new TestBrowser(op.issuer);
    const hop = await browser.request(authorizeUrl(op.issuer, WEB, { prompt: 'none' }));
    const line = setCookieLine(hop, STATE_COOKIE);
    assert.ok(line, hop.headers.getSetCookie().join(' | '));
    assert.doesNotMatch(line, /HttpOnly/i);
    assert.match(line, /SameSite=None/i);
    assert.match(line, /Secure/i);
    assert.match(browser.cookies.get(STATE_COOKIE) ?? '', /^[A-Za-z0-9_-]{22}$/);
  });

  it('the browser state changes at sign-in and at sign-out, and not when an application merely signs in through SSO (§3)', async () => {
    const browser = new TestBrowser(op.issuer);
    await browser.request(authorizeUrl(op.issuer, WEB, { prompt: 'none' }));
    const anonymous = browser.cookies.get(STATE_COOKIE);
    const hop = await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.alice);
    const signedIn = browser.cookies.get(STATE_COOKIE);
    assert.notEqual(signedIn, anonymous, 'sign-in changes it');
    await browser.request(authorizeUrl(op.issuer, CLIENTS.post, { prompt: 'none' }));
    assert.equal(browser.cookies.get(STATE_COOKIE), signedIn, 'SSO to another client does not');
    const tokens = await exchange(op.issuer, WEB, callback(hop, WEB).get('code') as string);
    await browser.request(`${op.issuer}/logout?id_token_hint=${tokens.id_token}`);
    assert.notEqual(browser.cookies.get(STATE_COOKIE), signedIn, 'sign-out changes it');
  });

  it('the check_session iframe is a page clients can embed: framing allowed to the registered client origin that loads it, no X-Frame-Options (§3.2; issue 10 §6)', async () => {
    const frameAncestors = (res: Response) => /frame-ancestors ([^;]*)/.exec(res.headers.get('content-security-policy') ?? '')?.[1] ?? '';
    const res = await fetch(`${op.issuer}/check-session`, { headers: { referer: 'http://127.0.0.1:5001/app/page' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(res.headers.get('x-frame-options'), null);
    assert.equal(frameAncestors(res), 'http://127.0.0.1:5001', "the web client's page may frame it, and only that origin");
    const html = await res.text();
    assert.match(html, /signoff-state/, 'it reads the browser-state cookie');
    assert.match(html, /postMessage/);
    for (const referer of [undefined, 'http://127.0.0.1:5999/', 'not a url']) {
      const other = await fetch(`${op.issuer}/check-session`, { headers: referer === undefined ? {} : { referer } });
      assert.equal(frameAncestors(other), "'none'", `no framing for referer ${referer}`);
    }
  });
});
