/**
 * The devices page, ISSUER/account/sessions (issue 13 §1), through the real HTTP server: signing
 * in through the normal sign-in when there is no session and coming back, one entry per open
 * session with its device and applications and "This device", ending one other session, every
 * other one and this one — each ending telling that session's applications (OIDC Back-Channel
 * Logout §2.4-2.6) — and the forms refusing a missing or foreign CSRF token, another account's
 * session and an ended one, ending nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { type Hop, TestBrowser, isLoginPage, parseForm } from './helpers/browser.js';
import { type TestProvider, USERS, defaultClients, startProvider } from './helpers/provider.js';
import { type Receiver, startReceiver, verifiedLogoutTokens } from './helpers/receiver.js';
import { WEB, authorizeUrl, codeOf, exchange, silent } from './helpers/session-flows.js';
import { insertOnNewBrowser, seedSession } from './helpers/store-contract/samples.js';
import { mySessions } from '../src/account/sessions.js';

const now = Math.floor(Date.now() / 1000);
const far = now + 3600;

const UA = {
  firefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  chrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
} as const;

let op: TestProvider;
let rx: Receiver;
let page: string;

before(async () => {
  rx = await startReceiver();
  op = await startProvider({ clients: defaultClients().map((c) => (c.client_id === 'web' ? { ...c, backchannel_logout_uri: rx.url } : c)) }, { deliveries: true });
  page = `${op.issuer}/account/sessions`;
});
after(async () => {
  await op.close();
  await rx.close();
});

/** A browser with its own user agent, signed in at the web application; its ID token's sid. */
const signedInAt = async (ua: string, user: { username: string; password: string } = USERS.alice): Promise<{ browser: TestBrowser; sid: string }> => {
  const browser = new TestBrowser(op.issuer, { 'user-agent': ua });
  const code = codeOf(await browser.signIn(authorizeUrl(op.issuer, WEB), user), WEB);
  return { browser, sid: decodeJwt((await exchange(op.issuer, WEB, code)).id_token).sid as string };
};

/** The entries of the page: each one's heading text, whether it is this device, and its end_session value. */
const entries = (html: string) =>
  [...html.matchAll(/<li>\s*<h2 id="session-\d+">([\s\S]*?)<\/h2>[\s\S]*?<\/li>/g)].map((m) => ({
    heading: (m[1] ?? '').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim(),
    current: /This device/.test(m[1] ?? ''),
    end: /name="end_session" value="([^"]+)"/.exec(m[0])?.[1],
    apps: /<dt>Signed in to<\/dt><dd>([^<]*)<\/dd>/.exec(m[0])?.[1],
  }));

/** Posts one of the page's forms: its hidden fields, `extra` on top. */
const submit = (browser: TestBrowser, hop: Hop, extra: Record<string, string>): Promise<Hop> => {
  const form = parseForm(hop.body);
  return browser.request(new URL(form.action, hop.url).toString(), { form: { ...form.fields, ...extra } });
};

const logoutTokensSince = (before: number, count: number) => verifiedLogoutTokens(rx, op.issuer, 'web', before, count);

describe('the devices page (issue 13 §1)', () => {
  it('without a session it goes through the normal sign-in and comes back to the page, which shows this device', async () => {
    const browser = new TestBrowser(op.issuer, { 'user-agent': UA.chrome });
    const first = await browser.request(page);
    assert.equal(first.status, 303);
    const to = new URL(first.location ?? '');
    assert.equal(`${to.origin}${to.pathname}`, `${op.issuer}/authorize`);
    assert.equal(to.searchParams.get('client_id'), 'signoff-account');
    assert.equal(to.searchParams.get('redirect_uri'), `${op.issuer}/account/callback`);
    assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
    const hop = await browser.signIn(page, USERS.bob);
    assert.equal(hop.status, 200, hop.body.slice(0, 300));
    assert.equal(hop.url, page, 'back on the page');
    const list = entries(hop.body);
    assert.equal(list.length, 1);
    assert.deepEqual([list[0]?.heading, list[0]?.current, list[0]?.apps], ['Chrome 126 on Linux This device', true, 'no application yet']);
  });

  it('orders the sessions by last activity, newest first, marks the current one, and leaves the account pages\' own client out of the applications', async () => {
    const store = op.provider.store;
    const { account } = await seedSession(store, { idleExpiresAt: far, absoluteExpiresAt: far, lastSeen: now - 300 });
    const later = await insertOnNewBrowser(store, account.id, { idleExpiresAt: far, absoluteExpiresAt: far, lastSeen: now - 10 });
    const middle = await insertOnNewBrowser(store, account.id, { idleExpiresAt: far, absoluteExpiresAt: far, lastSeen: now - 100 });
    await insertOnNewBrowser(store, account.id, { idleExpiresAt: far, absoluteExpiresAt: far, lastSeen: now, endedAt: now, endReason: 'logout', endedBy: 'user' });
    await store.upsertParticipant({ sessionId: middle.id, clientId: 'signoff-account', sid: 'sid-account', firstAuthAt: now, lastAuthAt: now, lastSeenAt: now });
    await store.upsertParticipant({ sessionId: middle.id, clientId: 'web', sid: 'sid-web', firstAuthAt: now, lastAuthAt: now, lastSeenAt: now });
    const mine = await mySessions(op.provider, { accountId: account.id, currentSessionId: middle.id });
    assert.deepEqual(mine.map((m) => m.view.last_active_at), [now - 10, now - 100, now - 300], 'open ones only, the most recently active first');
    assert.deepEqual(mine.map((m) => m.current), [false, true, false]);
    assert.equal(mine[0]?.view.id, later.id);
    assert.deepEqual(mine[1]?.view.clients.map((c) => c.client_id), ['web']);
  });

  it('a callback whose state this browser was not given is refused with an error page, never a redirect', async () => {
    const browser = new TestBrowser(op.issuer);
    await browser.request(page);
    const forged = await browser.request(`${op.issuer}/account/callback?code=x&state=not-the-one`);
    assert.equal(forged.status, 400);
    assert.match(forged.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(forged.location, undefined);
  });

  it('lists one entry per open session (browser, system, applications), the most recently active first, "This device" on this one; ends one other (its application is told, that browser is signed out), then every other; this one stays', async () => {
    const a = await signedInAt(UA.firefox);
    const b = await signedInAt(UA.iphone);
    const c = await signedInAt(UA.chrome);
    // Activity: b is used last, then c; a opens the page.
    assert.ok((await silent(c.browser, op.issuer, WEB)).code);
    assert.ok((await silent(b.browser, op.issuer, WEB)).code);
    let hop = await a.browser.navigate(page);
    assert.equal(hop.status, 200);
    assert.match(hop.body, /<html lang="en">/);
    const list = entries(hop.body);
    const mine = list.filter((e) => /Firefox 128 on Windows 10|Mobile Safari 17 on iOS 17\.5|Chrome 126 on Linux/.test(e.heading));
    assert.ok(list.length >= 3, JSON.stringify(list));
    assert.equal(list.filter((e) => e.current).length, 1, 'one "This device"');
    assert.deepEqual(list.find((e) => e.current)?.heading, 'Firefox 128 on Windows 10 This device');
    assert.ok(mine.every((e) => e.apps === 'Web App'), 'the application each is signed in to, by client_name');

    const iphone = list.find((e) => e.heading.startsWith('Mobile Safari 17 on iOS 17.5'));
    assert.ok(iphone?.end);
    const before1 = rx.received.length;
    hop = await submit(a.browser, hop, { end_session: iphone.end });
    assert.equal(hop.status, 200);
    assert.match(hop.body, /That device is signed out/);
    const [token] = await logoutTokensSince(before1, 1);
    assert.equal(token?.sid, b.sid, 'the ended session\'s application gets its logout token');
    assert.equal((await silent(b.browser, op.issuer, WEB)).error, 'login_required', 'that browser is signed out');
    assert.ok((await silent(c.browser, op.issuer, WEB)).code, 'another is not');
    assert.ok(!entries(hop.body).some((e) => e.heading.startsWith('Mobile Safari')), 'gone from the page');

    const before2 = rx.received.length;
    const others = entries(hop.body).filter((e) => !e.current).length;
    hop = await submit(a.browser, hop, { end_others: '1' });
    assert.match(hop.body, new RegExp(`${others} other devices are signed out`));
    const tokens = await logoutTokensSince(before2, others);
    assert.ok(tokens.some((t) => t.sid === c.sid));
    assert.equal((await silent(c.browser, op.issuer, WEB)).error, 'login_required');
    assert.ok((await silent(a.browser, op.issuer, WEB)).code, 'this browser stays signed in');
    assert.deepEqual(entries(hop.body).map((e) => e.current), [true]);
    assert.match(hop.body, /You are not signed in anywhere else/);
  });

  it('a missing or wrong CSRF token, another account\'s session, an ended one and this browser\'s own (as end_session) end nothing and say so', async () => {
    const a = await signedInAt(UA.firefox);
    const other = await signedInAt(UA.chrome);
    const bob = await signedInAt(UA.chrome, USERS.bob);
    const hop = await a.browser.navigate(page);
    const target = entries(hop.body).find((e) => e.end !== undefined)?.end as string;
    const bobHop = await bob.browser.navigate(page);
    const bobSession = entries(bobHop.body).find((e) => e.current);
    assert.ok(bobSession);
    const mine = parseForm(hop.body).fields;

    const noToken = await a.browser.request(page, { form: { account: mine.account as string, end_session: target } });
    assert.equal(noToken.status, 403);
    assert.match(noToken.body, /the form had expired/);
    const wrong = await a.browser.request(page, { form: { ...mine, csrf_token: 'x'.repeat(43), end_session: target } });
    assert.equal(wrong.status, 403);
    // Another browser's token is not this one's.
    const bobsToken = parseForm(bobHop.body).fields.csrf_token as string;
    assert.equal((await a.browser.request(page, { form: { ...mine, csrf_token: bobsToken, end_session: target } })).status, 403);
    assert.ok((await silent(other.browser, op.issuer, WEB)).code, 'nothing ended');

    // Bob's session id, from Alice's browser: not hers.
    const bobIdFromAdmin = (await op.provider.store.listSessions({ accountId: (await op.provider.store.accountByUsername('bob'))!.id, limit: 10 }))[0]!.id;
    const foreign = await a.browser.request(page, { form: { ...mine, end_session: bobIdFromAdmin } });
    assert.equal(foreign.status, 400);
    assert.match(foreign.body, /not one of yours/);
    assert.ok((await silent(bob.browser, op.issuer, WEB)).code, "bob's session lives");
    // Bob's account named as the account, from Alice's browser.
    assert.equal((await a.browser.request(page, { form: { ...mine, account: bobIdFromAdmin, end_others: '1' } })).status, 400);
    assert.ok((await silent(bob.browser, op.issuer, WEB)).code);
    // Its own session as end_session, and an ended one.
    const own = (await op.provider.store.listSessions({ accountId: mine.account as string, limit: 100 })).find((s) => s.browserId === (a.browser.cookies.get('signoff') ?? '').split('.')[0]);
    assert.equal((await a.browser.request(page, { form: { ...mine, end_session: own!.id } })).status, 400);
    assert.ok((await silent(a.browser, op.issuer, WEB)).code, 'this browser stays signed in');
    await a.browser.request(page, { form: { ...mine, end_session: target } });
    assert.equal((await a.browser.request(page, { form: { ...mine, end_session: target } })).status, 400, 'already ended');
  });

  it('"Sign out here" ends this browser\'s session as a logout would: the signed-out page, the application told, the browser signed out', async () => {
    const a = await signedInAt(UA.firefox, USERS.bob);
    const hop = await a.browser.navigate(page);
    const before = rx.received.length;
    const out = await submit(a.browser, hop, { end_here: '1' });
    assert.equal(out.status, 200);
    assert.match(out.body, /signed out/i);
    const [token] = await logoutTokensSince(before, 1);
    assert.equal(token?.sid, a.sid);
    assert.equal((await silent(a.browser, op.issuer, WEB)).error, 'login_required');
    const again = await a.browser.request(page);
    assert.equal(again.status, 303, 'the page now asks for a sign-in');
    assert.ok(isLoginPage((await a.browser.navigate(page)).body));
  });

  it('with two accounts on one browser the last used is shown, and the switcher shows the other (issue 13 §1)', async () => {
    const browser = new TestBrowser(op.issuer, { 'user-agent': UA.firefox });
    await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.alice);
    // Times are seconds: Bob's sign-in must be a later one than Alice's.
    await new Promise((r) => setTimeout(r, 1100));
    await browser.signIn(authorizeUrl(op.issuer, WEB, { prompt: 'login' }), USERS.bob);
    const hop = await browser.navigate(page);
    assert.match(hop.body, /<select id="account" name="account">/);
    const selected = /<option value="([^"]+)" selected>([^<]+)<\/option>/.exec(hop.body);
    assert.equal(selected?.[2], 'Bob', 'the account last used');
    const alice = /<option value="([^"]+)">Alice<\/option>/.exec(hop.body)?.[1];
    assert.ok(alice);
    const switched = await browser.navigate(`${page}?account=${alice}`);
    assert.match(switched.body, /<strong>Alice<\/strong> is signed in/);
  });

  it('speaks the language the browser asks for (Accept-Language), German here; discovery advertises the page as account_sessions_uri', async () => {
    const browser = new TestBrowser(op.issuer, { 'user-agent': UA.firefox, 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.alice);
    const hop = await browser.navigate(page);
    assert.match(hop.body, /<html lang="de">/);
    assert.match(hop.body, /Wo Sie angemeldet sind/);
    assert.match(hop.body, /Dieses Gerät/);
    const discovery = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as { account_sessions_uri?: string };
    assert.equal(discovery.account_sessions_uri, page);
  });
});
