/**
 * Clickjacking (RFC 6749 §10.13, OIDC Core §16.13 "Clickjacking"; issue 10 §9): every HTML page
 * the provider renders — sign-in, consent, account chooser, logout confirmation, signed-out and
 * still-signed-in pages, the form_post response, the error page, the development landing page —
 * forbids framing twice over: `X-Frame-Options: DENY` for older browsers and CSP
 * `frame-ancestors 'none'`. The check_session iframe is the one page meant to be framed, by the
 * registered clients' origins only (Session Management 1.0 §3.2; test/logout-session-management).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Hop, TestBrowser, isConsentPage, isLoginPage, parseForm } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { WEB, authorizeUrl, codeOf } from './helpers/session-flows.js';

const CONSENT = CLIENTS.consent;

/** Fails unless the hop is an HTML page that no other site may frame. */
const assertNotFramable = (name: string, hop: Hop): void => {
  assert.match(hop.headers.get('content-type') ?? '', /^text\/html/, `${name}: an HTML page (got ${hop.status} ${hop.location ?? ''})`);
  assert.equal(hop.headers.get('x-frame-options'), 'DENY', `${name}: X-Frame-Options`);
  const csp = hop.headers.get('content-security-policy') ?? '';
  const ancestors = csp.split(';').map((d) => d.trim()).filter((d) => d.startsWith('frame-ancestors'));
  assert.deepEqual(ancestors, ["frame-ancestors 'none'"], `${name}: CSP ${csp}`);
};

describe("HTML pages cannot be framed: X-Frame-Options DENY and CSP frame-ancestors 'none' (clickjacking, OIDC Core §16.13; issue 10 §9)", () => {
  let op: TestProvider;
  let dev: TestProvider;
  const pages = new Map<string, Hop>();

  before(async () => {
    [op, dev] = await Promise.all([startProvider(), startProvider({ development: true })]);
    const browser = new TestBrowser(op.issuer);
    const first = await browser.navigate(authorizeUrl(op.issuer, WEB));
    assert.ok(isLoginPage(first.body), 'the sign-in page');
    pages.set('sign-in page', first);
    const form = parseForm(first.body);
    const wrong = await browser.navigate(new URL(form.action, first.url).toString(), { form: { ...form.fields, username: 'alice', password: 'wrong' } });
    assert.ok(isLoginPage(wrong.body), 'the sign-in page again, with its error');
    pages.set('sign-in page after a wrong password', wrong);
    codeOf(await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.alice), WEB);

    const consent = await browser.signIn(authorizeUrl(op.issuer, CONSENT));
    assert.ok(isConsentPage(consent.body), `the consent page: ${consent.status} ${consent.location ?? ''}`);
    pages.set('consent page', consent);

    const chooser = await browser.navigate(authorizeUrl(op.issuer, WEB, { prompt: 'select_account' }));
    assert.match(chooser.body, /name="account"/, 'the account chooser');
    pages.set('account chooser', chooser);

    const formPost = await browser.navigate(authorizeUrl(op.issuer, WEB, { response_mode: 'form_post' }));
    assert.match(formPost.body, /<form method="post" action="http:\/\/127\.0\.0\.1:5001\/callback"/, 'the form_post response');
    pages.set('form_post authorization response', formPost);

    const confirm = async (fields: Record<string, string>): Promise<Hop> => {
      const page = await browser.navigate(`${op.issuer}/logout`);
      assert.match(page.body, /name="logout_scope"/, 'the logout confirmation');
      pages.set('logout confirmation', page);
      const f = parseForm(page.body);
      return browser.request(new URL(f.action, op.issuer).toString(), { form: { ...f.fields, ...fields } });
    };
    pages.set('still-signed-in page', await confirm({ stay: '1' }));
    pages.set('signed-out page', await confirm({ logout_scope: 'session' }));

    const error = await new TestBrowser(op.issuer).navigate(authorizeUrl(op.issuer, { client_id: 'nobody', redirect_uri: 'https://evil.example/cb' }));
    assert.equal(error.status, 400, 'an unknown client gets the error page');
    pages.set('error page', error);

    pages.set('development landing page', await new TestBrowser(dev.issuer).request(`${dev.issuer}/dev/callback?code=x&state=y`));
  });
  after(async () => {
    await op?.close();
    await dev?.close();
  });

  for (const name of [
    'sign-in page', 'sign-in page after a wrong password', 'consent page', 'account chooser', 'form_post authorization response',
    'logout confirmation', 'still-signed-in page', 'signed-out page', 'error page', 'development landing page',
  ]) {
    it(`${name}: X-Frame-Options DENY, frame-ancestors 'none'`, () => {
      const hop = pages.get(name);
      assert.ok(hop, `${name} was reached`);
      assertNotFramable(name, hop);
    });
  }
});
