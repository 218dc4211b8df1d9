/**
 * OpenID Connect RP-Initiated Logout 1.0 (and the front-channel iframes its logged-out page
 * renders, Front-Channel Logout 1.0 §3), black-box over real HTTP on loopback. Every ending must
 * go through the session core: the session is ended with reason `logout`, its refresh tokens are
 * refused and every participant with a back-channel URI gets an outbox row.
 */
import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT, decodeJwt } from 'jose';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { ManualClock } from '../src/clock.js';
import { type Hop, TestBrowser, parseForm } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, defaultClients, startProvider } from './helpers/provider.js';
import { discover } from './helpers/rp.js';
import {
  type TestClient, type Tokens, accountIdOf, allSessions, authorizeUrl, browserIdOf, codeOf, exchange, idClaims, refresh, silent,
} from './helpers/session-flows.js';

const WEB: TestClient = CLIENTS.web;
const SPA: TestClient = { client_id: 'spa-secret', client_secret: 'spa-secret-0123456789-0123456789-abcd', redirect_uri: 'http://127.0.0.1:5002/cb' };
const STRICT: TestClient = { client_id: 'strict', client_secret: 'strict-secret-0123456789-0123456789-a', redirect_uri: 'http://127.0.0.1:5009/cb' };
const WEB_LOGOUT = 'http://127.0.0.1:5001/';

/** web: both logout channels (its front-channel URI has a query of its own); spa-secret: front-channel only. */
const clients = (): Record<string, unknown>[] =>
  defaultClients().map((c) =>
    c.client_id === 'web'
      ? { ...c, frontchannel_logout_uri: 'http://127.0.0.1:5001/fcl?tenant=t1', backchannel_logout_uri: 'http://127.0.0.1:5001/bcl' }
      : c,
  ).concat(
    {
      client_id: SPA.client_id,
      client_secret: SPA.client_secret,
      redirect_uris: [SPA.redirect_uri],
      post_logout_redirect_uris: ['http://127.0.0.1:5002/bye'],
      frontchannel_logout_uri: 'http://127.0.0.1:5002/fcl',
      frontchannel_logout_session_required: true,
      backchannel_logout_uri: 'http://127.0.0.1:5002/bcl',
      grant_types: ['authorization_code', 'refresh_token'],
    },
    {
      client_id: STRICT.client_id,
      client_secret: STRICT.client_secret,
      redirect_uris: [STRICT.redirect_uri],
      post_logout_redirect_uris: ['http://127.0.0.1:5009/'],
      require_logout_confirmation: true,
      grant_types: ['authorization_code', 'refresh_token'],
    },
  );

const clock = new ManualClock();
let op: TestProvider;
before(async () => {
  op = await startProvider({ clients: clients(), users: [USERS.alice, USERS.bob] }, { clock });
});
after(() => op?.close());

/** Signs `user` in to `client` in `browser` (a password only when asked) and returns the tokens. */
const signIn = async (
  browser: TestBrowser,
  client: TestClient,
  user: { username: string; password: string } = USERS.alice,
  over: Record<string, string> = {},
): Promise<Tokens> => {
  const hop = await browser.signIn(authorizeUrl(op.issuer, client, { scope: 'openid profile', ...over }), user);
  return exchange(op.issuer, client, codeOf(hop, client));
};

const logoutUrl = (params: Record<string, string>): string => `${op.issuer}/logout?${new URLSearchParams(params)}`;

const sessionOf = async (tokens: Tokens) => {
  const sid = idClaims(tokens).sid;
  const participant = await op.provider.store.participantBySid(sid);
  assert.ok(participant);
  return op.provider.store.sessionById(participant.sessionId);
};

const assertErrorPage = (hop: Hop, pattern: RegExp): void => {
  assert.equal(hop.location, undefined, `must not redirect, got ${hop.location}`);
  assert.ok(hop.status >= 400 && hop.status < 500, `expected a 4xx page, got ${hop.status}`);
  assert.match(hop.headers.get('content-type') ?? '', /text\/html/);
  assert.match(hop.body, pattern);
};

const isConfirmation = (hop: Hop): boolean => hop.status === 200 && /name="logout_scope"/.test(hop.body);

/** Posts the confirmation page's form with the given fields. */
const confirm = async (browser: TestBrowser, page: Hop, fields: Record<string, string>): Promise<Hop> => {
  assert.ok(isConfirmation(page), `expected the confirmation page, got ${page.status} ${page.location ?? page.body.slice(0, 200)}`);
  const form = parseForm(page.body);
  return browser.request(new URL(form.action, op.issuer).toString(), { form: { ...form.fields, ...fields } });
};

/** The logged-out page's front-channel iframe URLs. */
const frontChannelFrames = (hop: Hop): URL[] => {
  const raw = /data-frames="([^"]*)"/.exec(hop.body)?.[1];
  assert.ok(raw !== undefined, `not the logged-out page: ${hop.status} ${hop.body.slice(0, 200)}`);
  return (JSON.parse(raw.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as string[]).map((u) => new URL(u));
};

describe('RP-Initiated Logout 1.0', () => {
  it('discovery carries end_session_endpoint (§2.1) and the front-channel and session-management metadata', async () => {
    const doc = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(doc.end_session_endpoint, `${op.issuer}/logout`);
    assert.equal(doc.frontchannel_logout_supported, true);
    assert.equal(doc.frontchannel_logout_session_supported, true);
    assert.equal(doc.check_session_iframe, `${op.issuer}/check-session`);
  });

  it('a valid id_token_hint naming this browser\'s session signs out without asking and redirects to the registered URI with state (§2, §3)', async () => {
    const browser = new TestBrowser(op.issuer);
    const tokens = await signIn(browser, WEB);
    const out = await browser.request(logoutUrl({ id_token_hint: tokens.id_token, post_logout_redirect_uri: WEB_LOGOUT, state: 'st-1' }));
    // web has a front-channel URI, so the logged-out page comes first and then continues there.
    assert.match(/data-next="([^"]*)"/.exec(out.body)?.[1] ?? '', /^http:\/\/127\.0\.0\.1:5001\/\?state=st-1$/);
    const session = await sessionOf(tokens);
    assert.equal(session?.endReason, 'logout');
    assert.equal(session?.endedBy, 'client:web');
    assert.equal((await refresh(op.issuer, WEB, tokens.refresh_token as string)).status, 400, 'the bound refresh token is refused');
    assert.equal((await silent(browser, op.issuer, WEB)).error, 'login_required');
  });

  it('the endpoint takes POST with a form body as well as GET (§2)', async () => {
    const browser = new TestBrowser(op.issuer);
    const tokens = await signIn(browser, SPA);
    const out = await browser.request(`${op.issuer}/logout`, { form: { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:5002/bye' } });
    assert.equal(out.status, 200);
    assert.equal((await sessionOf(tokens))?.endReason, 'logout');
  });

  it('state is returned only when it was sent (§3)', async () => {
    const browser = new TestBrowser(op.issuer);
    const tokens = await signIn(browser, STRICT);
    await op.provider.store.upsertClient({ ...(await op.provider.store.clientById('strict'))!, require_logout_confirmation: false });
    try {
      const out = await browser.request(logoutUrl({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:5009/' }));
      assert.equal(out.location, 'http://127.0.0.1:5009/', 'no front-channel URI: a direct redirect, without state');
    } finally {
      await op.provider.store.upsertClient({ ...(await op.provider.store.clientById('strict'))!, require_logout_confirmation: true });
    }
  });

  it('an expired id_token_hint is still accepted for a current session (§2 "need not be concerned about the expiration")', async () => {
    const browser = new TestBrowser(op.issuer);
    const tokens = await signIn(browser, WEB);
    const start = clock.nowMs();
    clock.advance(2 * 3600); // past the ID token's 1 h lifetime, but the session was kept alive:
    await op.provider.store.updateSession((await sessionOf(tokens))!.id, { idleExpiresAt: Math.floor(clock.nowMs() / 1000) + 600 });
    try {
      assert.ok((decodeJwt(tokens.id_token).exp as number) * 1000 < clock.nowMs(), 'the hint has expired');
      const out = await browser.request(logoutUrl({ id_token_hint: tokens.id_token, post_logout_redirect_uri: WEB_LOGOUT }));
      assert.equal(out.status, 200, out.body.slice(0, 300));
      assert.equal((await sessionOf(tokens))?.endReason, 'logout');
    } finally {
      clock.advance(-(clock.nowMs() - start) / 1000);
    }
  });

  it('openid-client\'s buildEndSessionUrl works against the endpoint unmodified', async () => {
    const browser = new TestBrowser(op.issuer);
    const tokens = await signIn(browser, WEB);
    const config = await discover(op.issuer, 'web');
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: WEB_LOGOUT, state: 'lib' });
    const out = await browser.request(url.toString());
    assert.equal(out.status, 200);
    assert.equal((await sessionOf(tokens))?.endReason, 'logout');
  });

  it('an unsupported ui_locales is not an error (§2)', async () => {
    const browser = new TestBrowser(op.issuer);
    const tokens = await signIn(browser, WEB);
    const out = await browser.request(logoutUrl({ id_token_hint: tokens.id_token, ui_locales: 'tlh x-none' }));
    assert.equal(out.status, 200);
    assert.equal((await sessionOf(tokens))?.endReason, 'logout');
  });

  describe('a hint that is not one this provider issued is refused with a page, never a redirect, and signs nobody out (§2, §6)', () => {
    let browser: TestBrowser;
    let tokens: Tokens;
    before(async () => {
      browser = new TestBrowser(op.issuer);
      tokens = await signIn(browser, WEB);
    });
    const refused = async (hint: string) => {
      const out = await browser.request(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: WEB_LOGOUT, state: 'x' }));
      assertErrorPage(out, /id_token_hint/);
      assert.equal((await sessionOf(tokens))?.endedAt, undefined, 'still signed in');
    };
    it('a forged payload', async () => {
      const [h, , s] = tokens.id_token.split('.');
      const payload = Buffer.from(JSON.stringify({ ...decodeJwt(tokens.id_token), sub: 'someone-else' })).toString('base64url');
      await refused(`${h}.${payload}.${s}`);
    });
    it('a truncated token', () => refused(tokens.id_token.slice(0, -10)));
    it('garbage', () => refused('not-a-jwt'));
    it('a token from another issuer\'s key', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const foreign = await new SignJWT({ ...decodeJwt(tokens.id_token) }).setProtectedHeader({ alg: 'RS256', kid: 'foreign' }).sign(privateKey);
      await refused(foreign);
    });
    it('an access token of this provider (typ at+jwt) presented as the hint', () => refused(tokens.access_token));
    it('alg "none"', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
      await refused(`${header}.${tokens.id_token.split('.')[1]}.`);
    });
  });

  it('client_id disagreeing with the hint\'s audience is refused and signs nobody out (§2)', async () => {
    const browser = new TestBrowser(op.issuer);
    const tokens = await signIn(browser, WEB);
    const out = await browser.request(logoutUrl({ id_token_hint: tokens.id_token, client_id: 'spa', post_logout_redirect_uri: WEB_LOGOUT }));
    assertErrorPage(out, /client_id/);
    assert.equal((await sessionOf(tokens))?.endedAt, undefined);
  });

  describe('post_logout_redirect_uri must exactly match one registered for the identified client, else no redirect (§3, §6)', () => {
    let browser: TestBrowser;
    let tokens: Tokens;
    before(async () => {
      browser = new TestBrowser(op.issuer);
      tokens = await signIn(browser, WEB);
    });
    for (const [name, uri] of [
      ['unregistered', 'https://evil.example/'],
      ['extra path', 'http://127.0.0.1:5001/x'],
      ['extra query', 'http://127.0.0.1:5001/?a=1'],
      ['different port', 'http://127.0.0.1:5002/'],
      ['different scheme', 'https://127.0.0.1:5001/'],
      ['missing trailing slash', 'http://127.0.0.1:5001'],
      ['another client\'s URI', 'http://127.0.0.1:5002/bye'],
    ] as const) {
      it(`${name}: ${uri}`, async () => {
        const out = await browser.request(logoutUrl({ id_token_hint: tokens.id_token, post_logout_redirect_uri: uri, state: 's' }));
        assertErrorPage(out, /post_logout_redirect_uri/);
        assert.equal((await sessionOf(tokens))?.endedAt, undefined, 'still signed in');
      });
    }
    it('without id_token_hint or client_id there is nothing to check it against: refused', async () => {
      const out = await browser.request(logoutUrl({ post_logout_redirect_uri: WEB_LOGOUT }));
      assertErrorPage(out, /post_logout_redirect_uri/);
    });
    it('an unknown client_id: an error page', async () => {
      const out = await browser.request(logoutUrl({ client_id: 'nobody', post_logout_redirect_uri: WEB_LOGOUT }));
      assertErrorPage(out, /not registered/);
    });
    it('a repeated parameter: an error page', async () => {
      const out = await browser.request(`${logoutUrl({ id_token_hint: tokens.id_token })}&state=a&state=b`);
      assertErrorPage(out, /state/);
      assert.equal((await sessionOf(tokens))?.endedAt, undefined);
    });
  });

  describe('without a valid hint for this browser\'s session the user confirms, with a CSRF-protected form (§2; §6 CSRF)', () => {
    it('no hint: a confirmation page offering logout_scope session and everywhere; nothing ends until it is posted', async () => {
      const browser = new TestBrowser(op.issuer);
      const tokens = await signIn(browser, WEB);
      const page = await browser.request(logoutUrl({ client_id: 'web', post_logout_redirect_uri: WEB_LOGOUT, state: 'c1' }));
      assert.ok(isConfirmation(page));
      assert.match(page.body, /name="csrf_token"/);
      assert.match(page.body, /value="session"/);
      assert.match(page.body, /value="everywhere"/);
      assert.doesNotMatch(page.body, /value="browser"/, 'one account here: no "every account on this browser"');
      assert.equal((await sessionOf(tokens))?.endedAt, undefined, 'a bare GET signs nobody out');
      const done = await confirm(browser, page, { logout_scope: 'session' });
      assert.match(/data-next="([^"]*)"/.exec(done.body)?.[1] ?? '', /state=c1/);
      const session = await sessionOf(tokens);
      assert.equal(session?.endReason, 'logout');
      assert.equal(session?.endedBy, 'user');
    });

    it('a missing or wrong CSRF token is refused (403) and signs nobody out', async () => {
      const browser = new TestBrowser(op.issuer);
      const tokens = await signIn(browser, WEB);
      const page = await browser.request(logoutUrl({}));
      const form = parseForm(page.body);
      const url = new URL(form.action, op.issuer).toString();
      assert.equal((await browser.request(url, { form: { logout_scope: 'session' } })).status, 403);
      assert.equal((await browser.request(url, { form: { csrf_token: 'wrong', logout_scope: 'session' } })).status, 403);
      assert.equal((await sessionOf(tokens))?.endedAt, undefined);
    });

    it('a replayed confirmation is refused: it is consumed once', async () => {
      const browser = new TestBrowser(op.issuer);
      await signIn(browser, WEB);
      const page = await browser.request(logoutUrl({}));
      assert.equal((await confirm(browser, page, { logout_scope: 'session' })).status, 200);
      const again = await confirm(browser, page, { logout_scope: 'session' });
      assert.equal(again.status, 400);
    });

    it('a cross-site POST without the browser\'s cookies is refused (the form is bound to the browser that asked)', async () => {
      const browser = new TestBrowser(op.issuer);
      const tokens = await signIn(browser, WEB);
      const page = await browser.request(logoutUrl({}));
      const form = parseForm(page.body);
      const res = await fetch(new URL(form.action, op.issuer), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: new URLSearchParams({ ...form.fields, logout_scope: 'everywhere' }).toString(),
        redirect: 'manual',
      });
      assert.equal(res.status, 403);
      assert.equal((await sessionOf(tokens))?.endedAt, undefined);
    });

    it('an unknown logout_scope is refused', async () => {
      const browser = new TestBrowser(op.issuer);
      const tokens = await signIn(browser, WEB);
      const page = await browser.request(logoutUrl({}));
      assert.equal((await confirm(browser, page, { logout_scope: 'galaxy' })).status, 400);
      assert.equal((await sessionOf(tokens))?.endedAt, undefined);
    });

    it('"Stay signed in" changes nothing at all', async () => {
      const browser = new TestBrowser(op.issuer);
      const tokens = await signIn(browser, WEB);
      const cookies = new Map(browser.cookies);
      const page = await browser.request(logoutUrl({ client_id: 'web', post_logout_redirect_uri: WEB_LOGOUT }));
      const stay = await confirm(browser, page, { stay: '1' });
      assert.equal(stay.status, 200);
      assert.equal(stay.location, undefined);
      assert.match(stay.body, /still signed in/);
      assert.equal((await sessionOf(tokens))?.endedAt, undefined);
      assert.equal(browser.cookies.get('signoff'), cookies.get('signoff'));
      assert.equal(browser.cookies.get('signoff-state'), cookies.get('signoff-state'), 'the browser state is unchanged');
      assert.ok((await silent(browser, op.issuer, WEB)).code);
    });

    it('a client that requires confirmation gets it even with a valid hint', async () => {
      const browser = new TestBrowser(op.issuer);
      const tokens = await signIn(browser, STRICT);
      const page = await browser.request(logoutUrl({ id_token_hint: tokens.id_token }));
      assert.ok(isConfirmation(page));
      assert.equal((await sessionOf(tokens))?.endedAt, undefined);
    });

    it('a valid hint for a session of another browser is suspect: the user confirms (§2 "does not match")', async () => {
      const mine = new TestBrowser(op.issuer);
      await signIn(mine, WEB);
      const other = new TestBrowser(op.issuer);
      const theirs = await signIn(other, WEB);
      const page = await mine.request(logoutUrl({ id_token_hint: theirs.id_token }));
      assert.ok(isConfirmation(page));
      assert.equal((await sessionOf(theirs))?.endedAt, undefined);
    });
  });

  describe('logout_scope: this account here, every account here, this account everywhere, this account\'s other devices', () => {
    /** alice and bob in one browser, alice also on another device. */
    const setUp = async () => {
      const here = new TestBrowser(op.issuer);
      const alice = await signIn(here, WEB, USERS.alice);
      const bob = await signIn(here, WEB, USERS.bob, { prompt: 'login', login_hint: 'bob' });
      const device = new TestBrowser(op.issuer);
      const aliceElsewhere = await signIn(device, WEB, USERS.alice);
      return { here, alice, bob, aliceElsewhere };
    };
    const ended = async (t: Tokens) => (await sessionOf(t))?.endedAt !== undefined;

    it('session: only this account on this browser', async () => {
      const s = await setUp();
      const page = await s.here.request(logoutUrl({ logout_hint: 'alice' }));
      assert.match(page.body, /value="browser"/, 'two accounts here: "every account on this browser" is offered');
      await confirm(s.here, page, { logout_scope: 'session' });
      assert.deepEqual([await ended(s.alice), await ended(s.bob), await ended(s.aliceElsewhere)], [true, false, false]);
    });

    it('browser: every account on this browser, while the other device\'s session survives', async () => {
      const s = await setUp();
      await confirm(s.here, await s.here.request(logoutUrl({ logout_hint: 'alice' })), { logout_scope: 'browser' });
      assert.deepEqual([await ended(s.alice), await ended(s.bob), await ended(s.aliceElsewhere)], [true, true, false]);
      const sessions = (await allSessions(op)).filter((x) => x.browserId === browserIdOf(s.here));
      assert.ok(sessions.every((x) => x.endedAt !== undefined));
    });

    it('everywhere: this account on every device, and the other account here survives', async () => {
      const s = await setUp();
      await confirm(s.here, await s.here.request(logoutUrl({ logout_hint: 'alice' })), { logout_scope: 'everywhere' });
      assert.deepEqual([await ended(s.alice), await ended(s.bob), await ended(s.aliceElsewhere)], [true, false, true]);
      const aliceId = await accountIdOf(op, 'alice');
      assert.ok((await allSessions(op)).filter((x) => x.accountId === aliceId).every((x) => x.endedAt !== undefined));
    });

    it('others (issue 13 §2 "Sign out of my other devices, stay signed in here"): the other device\'s session ends (reason logout, by the user) and its back-channel client is notified (BCL §2.5); this browser stays signed in', async () => {
      const s = await setUp();
      const page = await s.here.request(logoutUrl({ logout_hint: 'alice' }));
      assert.match(page.body, /name="logout_scope" value="others"/, 'the fourth choice is offered');
      assert.match(page.body, /Sign out of my other devices, stay signed in here/);
      const done = await confirm(s.here, page, { logout_scope: 'others' });
      assert.equal(done.status, 200);
      assert.equal(done.location, undefined, 'no redirect: this browser is still signed in');
      assert.match(done.body, /<h1>Your other devices are signed out<\/h1>/);
      assert.deepEqual([await ended(s.alice), await ended(s.bob), await ended(s.aliceElsewhere)], [false, false, true]);
      const elsewhere = await sessionOf(s.aliceElsewhere);
      assert.equal(elsewhere?.endReason, 'logout');
      assert.equal(elsewhere?.endedBy, 'user');
      const rows = await op.provider.store.listDeliveries({ sessionId: elsewhere!.id, limit: 10 });
      assert.deepEqual(rows.map((r) => [r.clientId, r.sid]), [['web', idClaims(s.aliceElsewhere).sid]], 'web (back-channel) is notified for the ended session');
      assert.equal((await op.provider.store.listDeliveries({ sessionId: (await sessionOf(s.alice))!.id, limit: 10 })).length, 0, 'nothing for the session kept here');
      assert.ok((await silent(s.here, op.issuer, WEB, { login_hint: 'alice' })).code, 'alice is still signed in on this browser');
      assert.equal((await refresh(op.issuer, WEB, s.aliceElsewhere.refresh_token as string)).status, 400, 'the other device\'s refresh token is refused');
      assert.equal((await refresh(op.issuer, WEB, s.alice.refresh_token as string)).status, 200, 'this browser\'s refresh token still works');
    });

    it('logout_hint picks which account the confirmation signs out', async () => {
      const s = await setUp();
      const page = await s.here.request(logoutUrl({ logout_hint: 'bob' }));
      assert.match(page.body, /Sign out <strong>Bob<\/strong>/);
      await confirm(s.here, page, { logout_scope: 'session' });
      assert.deepEqual([await ended(s.alice), await ended(s.bob)], [false, true]);
    });

    it('a logout_hint for an account not signed in here reveals nothing: the same confirmation for the current account', async () => {
      const browser = new TestBrowser(op.issuer);
      await signIn(browser, WEB, USERS.alice);
      const known = await browser.request(logoutUrl({ logout_hint: 'bob' }));
      const unknown = await browser.request(logoutUrl({ logout_hint: 'no-such-user' }));
      assert.ok(isConfirmation(known) && isConfirmation(unknown));
      for (const page of [known, unknown]) assert.match(page.body, /Sign out <strong>Alice<\/strong>/);
    });
  });

  it('signing out when already signed out is not an error: the redirect still completes (§2)', async () => {
    const browser = new TestBrowser(op.issuer);
    const tokens = await signIn(browser, STRICT);
    await op.provider.store.endSessions({ sessionId: (await sessionOf(tokens))!.id }, { reason: 'admin', actor: 'admin:test', at: Math.floor(clock.nowMs() / 1000) });
    const out = await browser.request(logoutUrl({ id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:5009/', state: 'again' }));
    assert.equal(out.location, 'http://127.0.0.1:5009/?state=again');
    const none = await new TestBrowser(op.issuer).request(logoutUrl({ client_id: 'web', post_logout_redirect_uri: WEB_LOGOUT }));
    assert.equal(none.location, WEB_LOGOUT, 'no session at all: straight back');
  });

  it('every client in the session is notified, the initiator included: front-channel iframes with iss and sid, back-channel outbox rows (§3; FCL §3; BCL §2.5)', async () => {
    const browser = new TestBrowser(op.issuer);
    const web = await signIn(browser, WEB);
    const spa = await signIn(browser, SPA);
    const sessionId = (await sessionOf(web))!.id;
    assert.equal((await sessionOf(spa))?.id, sessionId, 'one SSO session');
    const out = await browser.request(logoutUrl({ id_token_hint: spa.id_token, post_logout_redirect_uri: 'http://127.0.0.1:5002/bye' }));
    const frames = frontChannelFrames(out);
    const byOrigin = new Map(frames.map((f) => [f.origin, f]));
    const webFrame = byOrigin.get('http://127.0.0.1:5001');
    const spaFrame = byOrigin.get('http://127.0.0.1:5002');
    assert.ok(webFrame && spaFrame, frames.join(' '));
    assert.equal(webFrame.searchParams.get('iss'), op.issuer);
    assert.equal(webFrame.searchParams.get('sid'), idClaims(web).sid, 'the sid of that client\'s ID token (FCL §3)');
    assert.equal(webFrame.searchParams.get('tenant'), 't1', 'the URI\'s own query is kept (FCL §2)');
    assert.equal(spaFrame.searchParams.get('sid'), idClaims(spa).sid);
    assert.notEqual(webFrame.searchParams.get('sid'), spaFrame.searchParams.get('sid'));
    const csp = out.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-src[^;]*http:\/\/127\.0\.0\.1:5001/);
    assert.match(csp, /frame-src[^;]*http:\/\/127\.0\.0\.1:5002/);
    const rows = await op.provider.store.listDeliveries({ sessionId, limit: 10 });
    assert.deepEqual(rows.map((r) => r.clientId).sort(), ['spa-secret', 'web']);
    assert.deepEqual(rows.map((r) => r.sid).sort(), [idClaims(spa).sid, idClaims(web).sid].sort());
  });
});
