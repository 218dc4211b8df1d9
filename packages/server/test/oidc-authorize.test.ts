/**
 * The authorization endpoint and the pages behind it, black-box: prompt and max_age handling,
 * redirect URI validation, response_mode=form_post, consent, the sign-in form's failure message
 * and the "keep me signed in" cookie. openid-client builds the requests and redeems the codes;
 * TestBrowser and fetch show what a library cannot (pages, headers, cookies).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { type Hop, TestBrowser, isConsentPage, isLoginPage, parseForm } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { assertErrorResponse, callbackOf, codeFlow, discover, rejectsWithOAuthError, startAuthorization } from './helpers/rp.js';

/** Asserts the answer is an error page shown to the user: no redirect of any kind. */
const assertErrorPageWithoutRedirect = (res: Response, body: string, label: string): void => {
  assert.equal(res.status, 400, `${label}: status`);
  assert.equal(res.headers.get('location'), null, `${label}: no Location header`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `${label}: an HTML page`);
  assert.ok(!/http-equiv=["']?refresh/i.test(body), `${label}: no meta refresh`);
  assert.ok(!/<form[^>]*action="http:\/\/127\.0\.0\.1:500\d/i.test(body), `${label}: no auto-posting form to the client`);
};

describe('prompt=none (OIDC Core §3.1.2.1, §3.1.2.6)', () => {
  let op: TestProvider;
  let web: oidc.Configuration;
  let consent: oidc.Configuration;
  before(async () => {
    op = await startProvider();
    [web, consent] = await Promise.all([discover(op.issuer, 'web'), discover(op.issuer, 'consent')]);
  });
  after(() => op.close());

  it('prompt=none without a session returns login_required with state and iss on the redirect (OIDC Core §3.1.2.6, RFC 9207 §2)', async () => {
    const started = await startAuthorization(web, 'web', { prompt: 'none' });
    const hop = await new TestBrowser(op.issuer).navigate(started.url.toString());
    assert.ok([302, 303].includes(hop.status), `expected a redirect to the client, got ${hop.status}`);
    assert.ok(!isLoginPage(hop.body), 'no sign-in page with prompt=none');
    await assertErrorResponse(web, callbackOf(hop, 'web'), started, op.issuer, 'login_required');
  });

  it('prompt=none with a session issues a code without showing any page (OIDC Core §3.1.2.1)', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await codeFlow(web, 'web', browser, { user: USERS.alice });
    const started = await startAuthorization(web, 'web', { prompt: 'none' });
    const hop = await browser.request(started.url.toString());
    const tokens = await oidc.authorizationCodeGrant(web, callbackOf(hop, 'web'), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    assert.equal(tokens.claims()?.sub, first.tokens.claims()?.sub);
  });

  it('prompt=none when consent is still owed returns consent_required (OIDC Core §3.1.2.6)', async () => {
    const browser = new TestBrowser(op.issuer);
    await codeFlow(web, 'web', browser, { user: USERS.bob });
    const started = await startAuthorization(consent, 'consent', { prompt: 'none' });
    const hop = await browser.navigate(started.url.toString());
    const callback = callbackOf(hop, 'consent');
    assert.equal(callback.searchParams.get('error'), 'consent_required');
    assert.equal(callback.searchParams.get('state'), started.state);
    assert.equal(callback.searchParams.get('iss'), op.issuer);
  });

  it('prompt=none combined with another value is invalid_request (OIDC Core §3.1.2.1)', async () => {
    const started = await startAuthorization(web, 'web', { prompt: 'none login' });
    const hop = await new TestBrowser(op.issuer).navigate(started.url.toString());
    const callback = callbackOf(hop, 'web');
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    assert.equal(callback.searchParams.get('state'), started.state);
  });
});

describe('Redirect URI validation (RFC 6749 §3.1.2.4, §4.1.2.1, §10.15; OIDC Core §3.1.2.1)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op.close());

  const authorizeUrl = (params: Record<string, string>): string =>
    `${op.issuer}/authorize?${new URLSearchParams({ response_type: 'code', scope: 'openid', state: 'st', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ...params })}`;

  it('an unregistered redirect_uri gets an error page and never a redirect, with exact string matching (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.1)', async () => {
    const registered = CLIENTS.web.redirect_uri;
    const candidates = [
      'https://attacker.example/callback',
      `${registered}/evil`,
      `${registered}?next=https://attacker.example`,
      `${registered}/`,
      registered.replace('127.0.0.1', 'localhost'),
      registered.toUpperCase(),
    ];
    for (const redirect_uri of candidates) {
      const res = await fetch(authorizeUrl({ client_id: CLIENTS.web.client_id, redirect_uri }), { redirect: 'manual' });
      assertErrorPageWithoutRedirect(res, await res.text(), redirect_uri);
    }
  });

  it('the same holds for a POST to the authorization endpoint and with prompt=none (OIDC Core §3.1.2.1, §3.1.2.6)', async () => {
    const res = await fetch(`${op.issuer}/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ response_type: 'code', scope: 'openid', client_id: CLIENTS.web.client_id, redirect_uri: 'https://attacker.example/cb', prompt: 'none' }),
      redirect: 'manual',
    });
    assertErrorPageWithoutRedirect(res, await res.text(), 'POST prompt=none');
  });

  it('an unknown client_id or a missing redirect_uri gets an error page, never a redirect (RFC 6749 §4.1.2.1)', async () => {
    const unknown = await fetch(authorizeUrl({ client_id: 'no-such-client', redirect_uri: CLIENTS.web.redirect_uri }), { redirect: 'manual' });
    assertErrorPageWithoutRedirect(unknown, await unknown.text(), 'unknown client');
    const missing = await fetch(authorizeUrl({ client_id: CLIENTS.web.client_id }), { redirect: 'manual' });
    assertErrorPageWithoutRedirect(missing, await missing.text(), 'missing redirect_uri');
    const other = await fetch(authorizeUrl({ client_id: CLIENTS.web.client_id, redirect_uri: CLIENTS.post.redirect_uri }), { redirect: 'manual' });
    assertErrorPageWithoutRedirect(other, await other.text(), "another client's redirect_uri");
  });
});

describe('response_mode=form_post (OAuth 2.0 Form Post Response Mode §2, §5)', () => {
  let op: TestProvider;
  let web: oidc.Configuration;
  before(async () => {
    op = await startProvider();
    web = await discover(op.issuer, 'web');
  });
  after(() => op.close());

  /** The auto-posting form: asserts its shape and returns its target and fields. */
  const formPostOf = (hop: Hop): { action: string; fields: Record<string, string> } => {
    assert.equal(hop.status, 200, `expected the form_post page, got ${hop.status} ${hop.location ?? ''}`);
    assert.equal(hop.location, undefined, 'no redirect in form_post mode');
    assert.match(hop.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(hop.body, /<form[^>]*method="post"/i);
    assert.match(hop.body, /<script[^>]*>[^<]*submit\(\)/, 'the form submits itself');
    return parseForm(hop.body);
  };

  it('returns an auto-submitting form that posts code, state and iss to the redirect URI; openid-client redeems it (Form Post §2, RFC 9207 §2)', async () => {
    const started = await startAuthorization(web, 'web', { response_mode: 'form_post' });
    const hop = await new TestBrowser(op.issuer).signIn(started.url.toString(), USERS.alice);
    const form = formPostOf(hop);
    assert.equal(form.action, CLIENTS.web.redirect_uri);
    assert.ok(form.fields.code);
    assert.equal(form.fields.state, started.state);
    assert.equal(form.fields.iss, op.issuer);

    const posted = new Request(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form.fields).toString(),
    });
    const tokens = await oidc.authorizationCodeGrant(web, posted, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
    assert.equal(tokens.claims()?.nonce, started.nonce);
  });

  it('a state with HTML special characters is escaped in the form and posted back exactly (Form Post §2, RFC 6749 §4.1.2)', async () => {
    const state = `"><script>alert(1)</script>&amp;'`;
    const started = await startAuthorization(web, 'web', { response_mode: 'form_post', state });
    const hop = await new TestBrowser(op.issuer).signIn(started.url.toString(), USERS.alice);
    assert.ok(!hop.body.includes('<script>alert(1)</script>'), 'the state is not injected as markup');
    const form = formPostOf(hop);
    assert.equal(form.fields.state, state);
  });

  it('an error in form_post mode is posted too, with state and iss (Form Post §2, OIDC Core §3.1.2.6)', async () => {
    const started = await startAuthorization(web, 'web', { response_mode: 'form_post', prompt: 'none' });
    const hop = await new TestBrowser(op.issuer).navigate(started.url.toString());
    const form = formPostOf(hop);
    assert.equal(form.action, CLIENTS.web.redirect_uri);
    assert.equal(form.fields.error, 'login_required');
    assert.equal(form.fields.state, started.state);
    assert.equal(form.fields.iss, op.issuer);
    assert.equal(form.fields.code, undefined);
  });
});

describe('Consent (OIDC Core §3.1.2.4, §3.1.2.6)', () => {
  let op: TestProvider;
  let consent: oidc.Configuration;
  // Accounts that never consented to anything, for the denial tests.
  const CAROL = { username: 'carol', password: 'carol-battery-staple-horse', claims: { name: 'Carol' } };
  const DAVE = { username: 'dave', password: 'dave-battery-staple-horse', claims: { name: 'Dave' } };
  before(async () => {
    op = await startProvider({ users: [...Object.values(USERS), CAROL, DAVE] });
    consent = await discover(op.issuer, 'consent');
  });
  after(() => op.close());

  it('a client that requires consent shows the consent page; allow issues a code (OIDC Core §3.1.2.4)', async () => {
    const started = await startAuthorization(consent, 'consent');
    const browser = new TestBrowser(op.issuer);
    const page = await browser.signIn(started.url.toString(), USERS.alice);
    assert.ok(isConsentPage(page.body), 'after sign-in the consent page is shown');
    assert.equal(page.location, undefined, 'no code before the user decides');
    const form = parseForm(page.body);
    const hop = await browser.navigate(new URL(form.action, page.url).toString(), { form: { ...form.fields, decision: 'allow' } });
    const tokens = await oidc.authorizationCodeGrant(consent, callbackOf(hop, 'consent'), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    assert.equal(tokens.claims()?.aud, CLIENTS.consent.client_id);
  });

  it('consent is remembered: a second authorization needs no consent page (OIDC Core §3.1.2.4)', async () => {
    const browser = new TestBrowser(op.issuer);
    await codeFlow(consent, 'consent', browser, { user: USERS.bob, consent: 'allow' });
    const started = await startAuthorization(consent, 'consent');
    const hop = await browser.request(started.url.toString());
    assert.ok(!isConsentPage(hop.body));
    const tokens = await oidc.authorizationCodeGrant(consent, callbackOf(hop, 'consent'), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    assert.ok(tokens.access_token);
    // And remembered across browsers: it belongs to the account, not the cookie.
    const elsewhere = await startAuthorization(consent, 'consent');
    const hop2 = await new TestBrowser(op.issuer).signIn(elsewhere.url.toString(), USERS.bob);
    assert.ok(!isConsentPage(hop2.body), 'no consent page on another browser either');
    callbackOf(hop2, 'consent');
  });

  it('deny returns access_denied with state and iss on the redirect, and issues no code (OIDC Core §3.1.2.6, RFC 6749 §4.1.2.1)', async () => {
    const started = await startAuthorization(consent, 'consent');
    const browser = new TestBrowser(op.issuer);
    const hop = await browser.signIn(started.url.toString(), CAROL, { consent: 'deny' });
    await assertErrorResponse(consent, callbackOf(hop, 'consent'), started, op.issuer, 'access_denied');
  });

  it('a denial is not remembered as consent: the next request asks again (OIDC Core §3.1.2.4)', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await startAuthorization(consent, 'consent');
    const denied = await browser.signIn(first.url.toString(), DAVE, { consent: 'deny' });
    assert.equal(callbackOf(denied, 'consent').searchParams.get('error'), 'access_denied');
    const again = await startAuthorization(consent, 'consent');
    const hop = await browser.navigate(again.url.toString());
    assert.ok(isConsentPage(hop.body), `consent is asked again; got ${hop.status} ${hop.location ?? ''}`);
  });

  it('prompt=consent asks again even after consent was given (OIDC Core §3.1.2.1)', async () => {
    const browser = new TestBrowser(op.issuer);
    await codeFlow(consent, 'consent', browser, { user: USERS.alice, consent: 'allow' });
    const started = await startAuthorization(consent, 'consent', { prompt: 'consent' });
    const hop = await browser.navigate(started.url.toString());
    assert.ok(isConsentPage(hop.body), 'prompt=consent shows the consent page');
  });
});

describe('Re-authentication: prompt=login and max_age (OIDC Core §3.1.2.1, §2 auth_time)', () => {
  let op: TestProvider;
  let web: oidc.Configuration;
  /** The provider's clock: real time moved by `skewMs`, or frozen at `frozenAt`. */
  let skewMs = 0;
  let frozenAt: number | undefined;
  before(async () => {
    op = await startProvider({}, { clock: { nowMs: () => (frozenAt ?? Date.now()) + skewMs } });
    web = await discover(op.issuer, 'web');
  });
  after(() => op.close());

  it('prompt=login shows the sign-in page despite a session, and auth_time moves to the new sign-in (OIDC Core §3.1.2.1)', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await codeFlow(web, 'web', browser, { user: USERS.alice });
    const authTime1 = first.tokens.claims()?.auth_time as number;
    assert.equal(typeof authTime1, 'number');

    skewMs += 5_000;
    const started = await startAuthorization(web, 'web', { prompt: 'login' });
    const page = await browser.navigate(started.url.toString());
    assert.ok(isLoginPage(page.body), 'the sign-in page is shown although a session exists');
    const hop = await browser.signIn(started.url.toString(), USERS.alice);
    const tokens = await oidc.authorizationCodeGrant(web, callbackOf(hop, 'web'), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    const authTime2 = tokens.claims()?.auth_time as number;
    assert.ok(authTime2 >= authTime1 + 5, `auth_time must be the new sign-in: ${authTime1} -> ${authTime2}`);
    assert.equal(tokens.claims()?.sub, first.tokens.claims()?.sub);
  });

  it('max_age=0 forces the sign-in page, like prompt=login (OIDC Core §3.1.2.1)', async () => {
    frozenAt = Date.now(); // sign-in and the next request fall in the same second
    try {
      const browser = new TestBrowser(op.issuer);
      await codeFlow(web, 'web', browser, { user: USERS.alice });
      const started = await startAuthorization(web, 'web', { max_age: '0' });
      const page = await browser.navigate(started.url.toString());
      assert.ok(isLoginPage(page.body), `max_age=0 must re-authenticate; got ${page.status} ${page.location ?? ''}`);
    } finally {
      frozenAt = undefined;
    }
  });

  it('a max_age shorter than the time since sign-in forces sign-in and auth_time is returned (OIDC Core §3.1.2.1, §3.1.3.7 step 13)', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await codeFlow(web, 'web', browser, { user: USERS.bob });
    const authTime1 = first.tokens.claims()?.auth_time as number;

    // Within max_age: SSO without a page, and auth_time is the original sign-in.
    const within = await startAuthorization(web, 'web', { max_age: '3600' });
    const silent = await browser.request(within.url.toString());
    const t1 = await oidc.authorizationCodeGrant(web, callbackOf(silent, 'web'), {
      pkceCodeVerifier: within.verifier,
      expectedState: within.state,
      expectedNonce: within.nonce,
      maxAge: 3600,
    });
    assert.equal(t1.claims()?.auth_time, authTime1);

    skewMs += 20_000;
    const started = await startAuthorization(web, 'web', { max_age: '10' });
    const page = await browser.navigate(started.url.toString());
    assert.ok(isLoginPage(page.body), 'the session is older than max_age: sign in again');
    const hop = await browser.signIn(started.url.toString(), USERS.bob);
    const tokens = await oidc.authorizationCodeGrant(web, callbackOf(hop, 'web'), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      maxAge: 10,
    });
    const authTime2 = tokens.claims()?.auth_time as number;
    assert.equal(typeof authTime2, 'number');
    assert.ok(authTime2 >= authTime1 + 20, `auth_time must be the new sign-in: ${authTime1} -> ${authTime2}`);
  });
});

describe('The sign-in form (no user enumeration) and "keep me signed in" (RFC 6265 §4.1.2.2, §5.3)', () => {
  let op: TestProvider;
  let web: oidc.Configuration;
  before(async () => {
    op = await startProvider();
    web = await discover(op.issuer, 'web');
  });
  after(() => op.close());

  /** Opens the sign-in page for a fresh request and posts the form; returns the raw answer. */
  const postLogin = async (browser: TestBrowser, fields: Record<string, string>): Promise<Hop> => {
    const started = await startAuthorization(web, 'web');
    const page = await browser.navigate(started.url.toString());
    assert.ok(isLoginPage(page.body), 'the sign-in page');
    const form = parseForm(page.body);
    return browser.request(new URL(form.action, page.url).toString(), { form: { ...form.fields, ...fields } });
  };

  const errorText = (html: string): string | undefined => /<p class="error"[^>]*>([^<]*)<\/p>/.exec(html)?.[1] ?? /role="alert"[^>]*>([^<]*)</.exec(html)?.[1];

  it('a wrong password and an unknown user get the same 401 page "Invalid username or password." (OWASP Authentication Cheat Sheet, "Authentication and Error Messages")', async () => {
    const browser = new TestBrowser(op.issuer);
    const wrongPassword = await postLogin(browser, { username: USERS.alice.username, password: 'not-alices-password' });
    const unknownUser = await postLogin(browser, { username: 'mallory', password: 'not-alices-password' });
    for (const [label, hop] of [['wrong password', wrongPassword], ['unknown user', unknownUser]] as const) {
      assert.equal(hop.status, 401, `${label}: status`);
      assert.equal(hop.location, undefined, `${label}: no redirect`);
      assert.ok(hop.body.includes('Invalid username or password.'), `${label}: the generic message`);
      assert.ok(isLoginPage(hop.body), `${label}: the form is shown again`);
    }
    assert.equal(errorText(wrongPassword.body), errorText(unknownUser.body), 'the very same message');
    assert.ok(!/not found|no such|unknown user|does not exist|wrong password/i.test(wrongPassword.body + unknownUser.body));

    // The failed attempts did not sign anyone in, and the right password still works.
    const started = await startAuthorization(web, 'web', { prompt: 'none' });
    const silent = await browser.navigate(started.url.toString());
    assert.equal(callbackOf(silent, 'web').searchParams.get('error'), 'login_required');
    await codeFlow(web, 'web', browser, { user: USERS.alice });
  });

  /**
   * The Set-Cookie line of the SSO cookie among those of a sign-in response: the one cookie that,
   * alone in a fresh browser, lets prompt=none succeed.
   */
  const ssoCookieLine = async (hop: Hop): Promise<string> => {
    const lines = hop.headers.getSetCookie().filter((l) => !/max-age=0(;|$)/i.test(l) && /^[^=]+=[^;]+/.test(l));
    for (const line of lines) {
      const pair = line.split(';')[0] as string;
      const eq = pair.indexOf('=');
      const probe = new TestBrowser(op.issuer);
      probe.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      const started = await startAuthorization(web, 'web', { prompt: 'none' });
      const res = await probe.navigate(started.url.toString());
      if (res.location && new URL(res.location).searchParams.get('code')) return line;
    }
    assert.fail(`no cookie of the sign-in response carries the session: ${JSON.stringify(hop.headers.getSetCookie())}`);
  };

  it('"keep me signed in" makes the browser cookie persistent: it has Max-Age (RFC 6265 §4.1.2.2, §5.3 step 3)', async () => {
    const browser = new TestBrowser(op.issuer);
    const hop = await postLogin(browser, { username: USERS.alice.username, password: USERS.alice.password, remember: '1' });
    assert.ok(hop.status === 302 || hop.status === 303, `signed in: ${hop.status}`);
    const line = await ssoCookieLine(hop);
    const maxAge = /;\s*max-age=(\d+)/i.exec(line)?.[1];
    assert.ok(maxAge !== undefined || /;\s*expires=/i.test(line), `persistent cookie expected: ${line}`);
    assert.ok(maxAge !== undefined, `Max-Age expected: ${line}`);
    assert.ok(Number(maxAge) > 0, `Max-Age must be positive: ${line}`);
    assert.match(line, /;\s*httponly/i, 'the session cookie is HttpOnly');
  });

  it('without "keep me signed in" the browser cookie is a session cookie: no Max-Age nor Expires (RFC 6265 §5.3 step 3)', async () => {
    const browser = new TestBrowser(op.issuer);
    const hop = await postLogin(browser, { username: USERS.alice.username, password: USERS.alice.password });
    assert.ok(hop.status === 302 || hop.status === 303, `signed in: ${hop.status}`);
    const line = await ssoCookieLine(hop);
    assert.ok(!/;\s*max-age=/i.test(line), `no Max-Age expected: ${line}`);
    assert.ok(!/;\s*expires=/i.test(line), `no Expires expected: ${line}`);
    assert.match(line, /;\s*httponly/i, 'the session cookie is HttpOnly');
  });
});

describe('Lifetimes of codes and access tokens (RFC 6749 §4.1.2, §5.1; RFC 7662 §2.2)', () => {
  let op: TestProvider;
  let web: oidc.Configuration;
  let skewMs = 0;
  let browser: TestBrowser;
  before(async () => {
    op = await startProvider({}, { clock: { nowMs: () => Date.now() + skewMs } });
    web = await discover(op.issuer, 'web');
    browser = new TestBrowser(op.issuer);
    await codeFlow(web, 'web', browser, { user: USERS.alice });
  });
  after(() => op.close());

  it('an authorization code is short-lived: one redeemed after its lifetime is refused with invalid_grant (RFC 6749 §4.1.2)', async () => {
    const started = await startAuthorization(web, 'web');
    const hop = await browser.signIn(started.url.toString());
    const callback = callbackOf(hop, 'web');
    skewMs += 11 * 60_000; // past the 10 minutes RFC 6749 §4.1.2 recommends as a maximum
    await rejectsWithOAuthError(
      () => oidc.authorizationCodeGrant(web, callback, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce }),
      'invalid_grant',
    );
  });

  it('an access token stops working after expires_in, while its refresh token still works (RFC 6749 §5.1, §6; RFC 7662 §2.2)', async () => {
    const { tokens } = await codeFlow(web, 'web', browser, { user: USERS.alice });
    const expiresIn = tokens.expires_in as number;
    assert.ok(expiresIn > 0 && expiresIn < 24 * 3600, `expires_in ${expiresIn}`);
    assert.equal((await oidc.tokenIntrospection(web, tokens.access_token)).active, true);
    skewMs += (expiresIn + 5) * 1000;
    assert.equal((await oidc.tokenIntrospection(web, tokens.access_token)).active, false, 'expired access token is inactive');
    await assert.rejects(oidc.fetchUserInfo(web, tokens.access_token, oidc.skipSubjectCheck), (err: unknown) => {
      assert.ok(err instanceof oidc.WWWAuthenticateChallengeError, String(err));
      assert.equal(err.status, 401);
      return true;
    });
    const refreshed = await oidc.refreshTokenGrant(web, tokens.refresh_token as string);
    assert.equal((await oidc.tokenIntrospection(web, refreshed.access_token)).active, true);
  });
});
