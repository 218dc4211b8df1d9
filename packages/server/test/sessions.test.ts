/**
 * The SSO session as a browser sees it: the browser cookie (attributes, fixation, tampering),
 * idle and absolute expiry, remember-me, and the `sid` clients see (DESIGN.md "The three
 * session layers", "Domain model"; OIDC Core §3.1.2.6; Front-/Back-Channel Logout §1 and §2.1).
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { ManualClock } from '../src/clock.js';
import { type Hop, TestBrowser, isLoginPage } from './helpers/browser.js';
import { authorizeUrl as flowAuthorizeUrl } from './helpers/session-flows.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';

type ClientName = 'web' | 'post';

const authorizeUrl = (base: string, client: ClientName, over: Record<string, string> = {}): string => flowAuthorizeUrl(base, CLIENTS[client], over);

interface CookieLine {
  value: string;
  attrs: Map<string, string>;
  line: string;
}

/** The Set-Cookie lines of a response, by cookie name (attribute names lower-cased). */
const setCookies = (headers: Headers): Map<string, CookieLine> => {
  const out = new Map<string, CookieLine>();
  for (const line of headers.getSetCookie()) {
    const [pair = '', ...rest] = line.split(';');
    const eq = pair.indexOf('=');
    const attrs = new Map<string, string>();
    for (const a of rest) {
      const i = a.indexOf('=');
      attrs.set((i < 0 ? a : a.slice(0, i)).trim().toLowerCase(), i < 0 ? '' : a.slice(i + 1).trim());
    }
    out.set(pair.slice(0, eq).trim(), { value: pair.slice(eq + 1).trim(), attrs, line });
  }
  return out;
};

const COOKIE_FORMAT = /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/;

/** Where a hop sent the browser back to the client, as parameters. */
const responseParams = (hop: Hop, client: ClientName = 'web'): URLSearchParams => {
  assert.ok(hop.location?.startsWith(CLIENTS[client].redirect_uri), `expected a redirect to ${client}, got ${hop.status} ${hop.location ?? hop.body.slice(0, 200)}`);
  return new URL(hop.location ?? '').searchParams;
};

/** A silent authorization request (prompt=none): the code, or the error. */
const silent = async (browser: TestBrowser, base: string, client: ClientName = 'web'): Promise<{ code: string | null; error: string | null; hop: Hop }> => {
  const hop = await browser.request(authorizeUrl(base, client, { prompt: 'none' }));
  const q = responseParams(hop, client);
  return { code: q.get('code'), error: q.get('error'), hop };
};

const signInFresh = async (base: string, opts: { remember?: boolean; client?: ClientName } = {}): Promise<{ browser: TestBrowser; hop: Hop; code: string }> => {
  const browser = new TestBrowser(base);
  const hop = await browser.signIn(authorizeUrl(base, opts.client ?? 'web'), { ...USERS.alice, remember: opts.remember ?? false });
  const code = responseParams(hop, opts.client ?? 'web').get('code');
  assert.ok(code, 'sign-in returned a code');
  return { browser, hop, code };
};

const exchange = async (issuer: string, code: string, client: ClientName = 'web'): Promise<Record<string, string>> => {
  const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: CLIENTS[client].redirect_uri };
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client === 'web') headers.authorization = `Basic ${Buffer.from(`${CLIENTS.web.client_id}:${CLIENTS.web.client_secret}`).toString('base64')}`;
  else Object.assign(form, { client_id: CLIENTS.post.client_id, client_secret: CLIENTS.post.client_secret });
  const res = await fetch(`${issuer}/token`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  const body = (await res.json()) as Record<string, string>;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
};

const refresh = async (issuer: string, refreshToken: string): Promise<{ status: number; body: Record<string, string> }> => {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${CLIENTS.web.client_id}:${CLIENTS.web.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

describe('browser cookie on an http issuer (DESIGN.md "Domain model": Browser; RFC 6265 §4.1.2)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op?.close());

  it('is named signoff, HttpOnly, SameSite=Lax, Path=/, host-only, without Secure, and a browser-session cookie without remember-me', async () => {
    const { hop } = await signInFresh(op.issuer);
    const cookie = setCookies(hop.headers).get('signoff');
    assert.ok(cookie, `no signoff cookie in ${hop.headers.getSetCookie().join(' | ')}`);
    assert.ok(cookie.attrs.has('httponly'), cookie.line);
    assert.equal(cookie.attrs.get('samesite')?.toLowerCase(), 'lax', cookie.line);
    assert.equal(cookie.attrs.get('path'), '/', cookie.line);
    assert.ok(!cookie.attrs.has('secure'), `no Secure on an http issuer: ${cookie.line}`);
    assert.ok(!cookie.attrs.has('domain'), `host-only: ${cookie.line}`);
    assert.ok(!cookie.attrs.has('max-age') && !cookie.attrs.has('expires'), `a browser-session cookie: ${cookie.line}`);
  });

  it('carries an opaque value of at least 128 bits: <browser id>.<256-bit secret>', async () => {
    const { browser } = await signInFresh(op.issuer);
    assert.match(browser.cookies.get('signoff') ?? '', COOKIE_FORMAT);
  });

  it('the interaction cookie is HttpOnly, SameSite=Lax and limited to the interaction lifetime', async () => {
    const browser = new TestBrowser(op.issuer);
    const hop = await browser.request(authorizeUrl(op.issuer, 'web'));
    const entry = [...setCookies(hop.headers)].find(([name]) => name === 'signoff-ia');
    assert.ok(entry, hop.headers.getSetCookie().join(' | '));
    const [, c] = entry;
    assert.ok(c.attrs.has('httponly'));
    assert.equal(c.attrs.get('samesite')?.toLowerCase(), 'lax');
    assert.equal(c.attrs.get('max-age'), '600');
  });
});

describe('browser cookie on an https issuer (RFC 6265bis §4.1.3.2: __Host- prefix, Secure)', () => {
  let op: TestProvider;
  let base: string;
  before(async () => {
    op = await startProvider({ issuer: 'https://id.example.test' });
    base = `http://127.0.0.1:${(op.app.server.address() as AddressInfo).port}`;
  });
  after(() => op?.close());

  it('the provider announces the https issuer', async () => {
    const doc = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(doc.issuer, 'https://id.example.test');
  });

  it('is named __Host-signoff and is Secure, HttpOnly, SameSite=Lax, Path=/, without Domain', async () => {
    const { hop, browser } = await signInFresh(base);
    const cookies = setCookies(hop.headers);
    assert.ok(!cookies.has('signoff'), 'no unprefixed cookie on https');
    const cookie = cookies.get('__Host-signoff');
    assert.ok(cookie, hop.headers.getSetCookie().join(' | '));
    assert.ok(cookie.attrs.has('secure'), cookie.line);
    assert.ok(cookie.attrs.has('httponly'), cookie.line);
    assert.equal(cookie.attrs.get('samesite')?.toLowerCase(), 'lax');
    assert.equal(cookie.attrs.get('path'), '/');
    assert.ok(!cookie.attrs.has('domain'));
    assert.match(browser.cookies.get('__Host-signoff') ?? '', COOKIE_FORMAT);
  });

  it('the interaction cookie is __Host- prefixed and Secure too', async () => {
    const hop = await new TestBrowser(base).request(authorizeUrl(base, 'web'));
    const entry = [...setCookies(hop.headers)].find(([name]) => name.endsWith('signoff-ia'));
    assert.ok(entry);
    assert.ok(entry[0].startsWith('__Host-'), entry[0]);
    assert.ok(entry[1].attrs.has('secure'));
  });

  it('single sign-on works with the __Host- cookie (prompt=none returns a code)', async () => {
    const { browser } = await signInFresh(base);
    const r = await silent(browser, base);
    assert.ok(r.code, `error ${r.error}`);
  });
});

describe('session fixation and tampering (DESIGN.md "Domain model"; OWASP Session Management: renew the identifier at authentication)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op?.close());

  it('a garbage cookie planted before sign-in is cleared (Max-Age=0) and replaced by a fresh value', async () => {
    const browser = new TestBrowser(op.issuer);
    browser.cookies.set('signoff', 'attacker-chosen-value');
    const first = await browser.request(authorizeUrl(op.issuer, 'web'));
    const cleared = setCookies(first.headers).get('signoff');
    assert.ok(cleared, 'the invalid cookie is cleared');
    assert.equal(cleared.attrs.get('max-age'), '0');
    const hop = await browser.signIn(authorizeUrl(op.issuer, 'web'), USERS.alice);
    assert.ok(responseParams(hop).get('code'));
    const value = browser.cookies.get('signoff');
    assert.match(value ?? '', COOKIE_FORMAT);
    assert.notEqual(value, 'attacker-chosen-value');
  });

  it('a well-formed but unknown cookie planted before sign-in counts as no session, is cleared, and is not adopted', async () => {
    const browser = new TestBrowser(op.issuer);
    const plantedId = randomUUID();
    const planted = `${plantedId}.${randomBytes(32).toString('base64url')}`;
    browser.cookies.set('signoff', planted);
    const r = await silent(browser, op.issuer);
    assert.equal(r.error, 'login_required');
    assert.equal(setCookies(r.hop.headers).get('signoff')?.attrs.get('max-age'), '0');
    browser.cookies.set('signoff', planted); // the attacker plants it again
    await browser.signIn(authorizeUrl(op.issuer, 'web'), USERS.alice);
    const value = browser.cookies.get('signoff') ?? '';
    assert.notEqual(value, planted);
    assert.notEqual(value.split('.')[0], plantedId, 'the planted browser id is not adopted');
  });

  it('a valid cookie planted by an attacker stops working when the victim signs in: the secret is replaced', async () => {
    const attacker = new TestBrowser(op.issuer);
    await attacker.signIn(authorizeUrl(op.issuer, 'web'), USERS.bob);
    const planted = attacker.cookies.get('signoff');
    assert.ok(planted);
    const victim = new TestBrowser(op.issuer);
    victim.cookies.set('signoff', planted);
    const hop = await victim.signIn(authorizeUrl(op.issuer, 'web', { prompt: 'login' }), USERS.alice);
    assert.ok(responseParams(hop).get('code'));
    const renewed = victim.cookies.get('signoff');
    assert.match(renewed ?? '', COOKIE_FORMAT);
    assert.notEqual(renewed, planted, 'the cookie value changes at sign-in');
    assert.notEqual(renewed?.split('.')[1], planted.split('.')[1], 'the secret changes at sign-in');
    const stale = await silent(attacker, op.issuer);
    assert.equal(stale.error, 'login_required', 'the attacker\'s copy no longer reaches the victim\'s session');
    assert.equal(setCookies(stale.hop.headers).get('signoff')?.attrs.get('max-age'), '0');
    // The planted browser now holds two accounts (a multi-account browser), so the victim's own
    // is picked by login_hint; without one the provider asks which (account_selection_required).
    const hop2 = await victim.request(authorizeUrl(op.issuer, 'web', { prompt: 'none', login_hint: USERS.alice.username }));
    assert.ok(responseParams(hop2).get('code'), `the victim keeps the session: ${responseParams(hop2).get('error')}`);
  });

  it('re-authentication (prompt=login) also renews the cookie secret', async () => {
    const { browser } = await signInFresh(op.issuer);
    const before1 = browser.cookies.get('signoff');
    const hop = await browser.signIn(authorizeUrl(op.issuer, 'web', { prompt: 'login' }), USERS.alice);
    assert.ok(responseParams(hop).get('code'));
    assert.notEqual(browser.cookies.get('signoff'), before1);
  });

  it('a tampered cookie counts as no session and is cleared; the genuine one keeps working', async () => {
    const { browser } = await signInFresh(op.issuer);
    const genuine = browser.cookies.get('signoff') ?? '';
    const last = genuine.at(-1) === 'A' ? 'B' : 'A';
    for (const tampered of [genuine.slice(0, -1) + last, `${genuine.split('.')[0]}.${randomBytes(32).toString('base64url')}`, `${genuine}x`, genuine.split('.')[0] ?? '']) {
      browser.cookies.set('signoff', tampered);
      const r = await silent(browser, op.issuer);
      assert.equal(r.error, 'login_required', tampered);
      assert.equal(setCookies(r.hop.headers).get('signoff')?.attrs.get('max-age'), '0', tampered);
    }
    browser.cookies.set('signoff', genuine);
    assert.ok((await silent(browser, op.issuer)).code);
  });
});

describe('idle and absolute expiry (DESIGN.md "Domain model": idle expiry, absolute expiry; OIDC Core §3.1.2.6 login_required)', () => {
  const clock = new ManualClock();
  let op: TestProvider;
  before(async () => {
    op = await startProvider(
      { session: { idleTimeout: '5m', absoluteLifetime: '1h', rememberMe: { idleTimeout: '2h', absoluteLifetime: '5h' } } },
      { clock },
    );
  });
  after(() => op?.close());

  it('activity within the idle timeout keeps the session; after the idle timeout without activity, prompt=none → login_required', async () => {
    const { browser } = await signInFresh(op.issuer);
    clock.advance(4 * 60);
    assert.ok((await silent(browser, op.issuer)).code, 'still live after 4 minutes');
    clock.advance(4 * 60);
    assert.ok((await silent(browser, op.issuer)).code, 'live 8 minutes after sign-in because of the activity at 4');
    clock.advance(5 * 60 + 1);
    assert.equal((await silent(browser, op.issuer)).error, 'login_required');
  });

  it('after idle expiry the sign-in form is shown again (the session is not silently revived)', async () => {
    const { browser } = await signInFresh(op.issuer);
    clock.advance(5 * 60 + 1);
    const hop = await browser.navigate(authorizeUrl(op.issuer, 'web'));
    assert.ok(isLoginPage(hop.body), `expected the sign-in page, got ${hop.status} ${hop.location ?? ''}`);
  });

  it('the refresh token bound to an idle-expired session is refused with invalid_grant (DESIGN.md "Tokens": bound to the session)', async () => {
    const { code } = await signInFresh(op.issuer);
    const tokens = await exchange(op.issuer, code);
    assert.ok(tokens.refresh_token);
    clock.advance(5 * 60 + 1);
    const r = await refresh(op.issuer, tokens.refresh_token);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
  });

  it('activity cannot extend a session past its absolute lifetime', async () => {
    const { browser } = await signInFresh(op.issuer);
    for (let minute = 4; minute <= 56; minute += 4) {
      clock.advance(4 * 60);
      assert.ok((await silent(browser, op.issuer)).code, `live at minute ${minute}`);
    }
    clock.advance(4 * 60 + 1); // 60 min + 1 s after sign-in, 4 min after the last activity
    assert.equal((await silent(browser, op.issuer)).error, 'login_required');
  });

  it('remember-me: the cookie persists for the remember-me absolute lifetime (Max-Age)', async () => {
    const { hop } = await signInFresh(op.issuer, { remember: true });
    assert.equal(setCookies(hop.headers).get('signoff')?.attrs.get('max-age'), String(5 * 3600));
  });

  it('remember-me: the session outlives the normal idle timeout and absolute lifetime, up to the remember-me absolute lifetime', async () => {
    const { browser } = await signInFresh(op.issuer, { remember: true });
    clock.advance(3600 + 60); // past both the 5-minute idle timeout and the 1-hour absolute lifetime
    assert.ok((await silent(browser, op.issuer)).code, 'live after 1h01m');
    clock.advance(90 * 60);
    assert.ok((await silent(browser, op.issuer)).code, 'live after 2h31m');
    clock.advance(90 * 60);
    assert.ok((await silent(browser, op.issuer)).code, 'live after 4h01m');
    clock.advance(60 * 60); // 5h01m: within the 2h idle timeout but past the 5h absolute lifetime
    assert.equal((await silent(browser, op.issuer)).error, 'login_required');
  });

  it('remember-me: the session still ends after the remember-me idle timeout without activity', async () => {
    const { browser } = await signInFresh(op.issuer, { remember: true });
    clock.advance(2 * 3600 - 60);
    assert.ok((await silent(browser, op.issuer)).code, 'live just before 2h');
    clock.advance(2 * 3600 + 1);
    assert.equal((await silent(browser, op.issuer)).error, 'login_required');
  });

  it('without remember-me the cookie is a browser-session cookie and the normal idle timeout applies', async () => {
    const { browser, hop } = await signInFresh(op.issuer, { remember: false });
    const c = setCookies(hop.headers).get('signoff');
    assert.ok(c && !c.attrs.has('max-age') && !c.attrs.has('expires'), c?.line);
    clock.advance(5 * 60 + 1);
    assert.equal((await silent(browser, op.issuer)).error, 'login_required');
  });
});

describe('sid (OIDC Front-Channel Logout §3, Back-Channel Logout §2.1; DESIGN.md "Participant": never the cookie value)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op?.close());

  it('the ID token carries a sid that is not the cookie value nor any part of it', async () => {
    const { browser, code } = await signInFresh(op.issuer);
    const cookie = browser.cookies.get('signoff') ?? '';
    const [browserId = '', secret = ''] = cookie.split('.');
    const { id_token, access_token } = await exchange(op.issuer, code);
    const sid = decodeJwt(id_token ?? '').sid;
    assert.equal(typeof sid, 'string');
    assert.ok((sid as string).length >= 16);
    for (const part of [cookie, browserId, secret]) {
      assert.notEqual(sid, part);
      assert.ok(!part.includes(sid as string) && !(sid as string).includes(part), 'sid and cookie share nothing');
    }
    for (const token of [id_token ?? '', access_token ?? '']) {
      for (const part of [browserId, secret]) assert.ok(!Buffer.from(token.split('.')[1] ?? '', 'base64url').toString().includes(part), 'no cookie part in a token');
    }
  });

  it('the sid is stable for one session and client, differs across clients, and survives re-authentication', async () => {
    const { browser, code } = await signInFresh(op.issuer);
    const webSid = decodeJwt((await exchange(op.issuer, code)).id_token ?? '').sid;
    const post = await browser.request(authorizeUrl(op.issuer, 'post'));
    const postCode = responseParams(post, 'post').get('code');
    assert.ok(postCode, 'single sign-on to the second client');
    const postSid = decodeJwt((await exchange(op.issuer, postCode, 'post')).id_token ?? '').sid;
    assert.notEqual(postSid, webSid, 'different clients see different sids');
    const again = await silent(browser, op.issuer);
    assert.ok(again.code);
    assert.equal(decodeJwt((await exchange(op.issuer, again.code)).id_token ?? '').sid, webSid, 'same session and client: same sid');
    const reauth = await browser.signIn(authorizeUrl(op.issuer, 'web', { prompt: 'login' }), USERS.alice);
    const reCode = responseParams(reauth).get('code');
    assert.ok(reCode);
    assert.equal(decodeJwt((await exchange(op.issuer, reCode)).id_token ?? '').sid, webSid, 're-authentication keeps the session and its sid');
  });

  it('different browsers of the same account get different sids', async () => {
    const a = await signInFresh(op.issuer);
    const b = await signInFresh(op.issuer);
    const sidA = decodeJwt((await exchange(op.issuer, a.code)).id_token ?? '').sid;
    const sidB = decodeJwt((await exchange(op.issuer, b.code)).id_token ?? '').sid;
    assert.notEqual(sidA, sidB);
  });
});
