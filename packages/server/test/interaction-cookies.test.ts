/**
 * Interaction cookies stay bounded (issue 10 §2): abandoned sign-ins must not grow the browser's
 * Cookie header until every request from it is refused (431), SSO included. The binding of an
 * interaction to the browser that started it (login CSRF protection) holds all the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestBrowser, isLoginPage, parseForm } from './helpers/browser.js';
import { WEB, authorizeUrl, codeOf, silent } from './helpers/session-flows.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';

const interactionCookies = (browser: TestBrowser): string[] => [...browser.cookies.keys()].filter((k) => k.includes('signoff-ia'));
const cookieHeaderLength = (browser: TestBrowser): number => [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ').length;

describe('interaction cookies are bounded (issue 10 §2)', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider();
  });
  after(() => op?.close());

  it('250 abandoned sign-ins leave one small interaction cookie, and a normal sign-in and SSO still work', async () => {
    const browser = new TestBrowser(op.issuer);
    for (let i = 0; i < 250; i++) {
      const hop = await browser.navigate(authorizeUrl(op.issuer, WEB));
      assert.equal(hop.status, 200, `flow ${i}: ${hop.status}`);
      assert.ok(isLoginPage(hop.body), `flow ${i} shows the sign-in page`);
    }
    assert.deepEqual(interactionCookies(browser), ['signoff-ia']);
    assert.ok(cookieHeaderLength(browser) < 256, `the Cookie header stays small: ${cookieHeaderLength(browser)} characters`);

    const code = codeOf(await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.alice), WEB);
    assert.ok(code);
    const sso = await silent(browser, op.issuer, WEB);
    assert.ok(sso.code, `prompt=none after the abandoned flows: ${sso.error}`);
  });

  it('sign-ins started in two tabs of one browser can both be completed', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await browser.navigate(authorizeUrl(op.issuer, WEB));
    const second = await browser.navigate(authorizeUrl(op.issuer, WEB));
    for (const page of [first, second]) {
      const form = parseForm(page.body);
      const hop = await browser.navigate(new URL(form.action, page.url).toString(), {
        form: { ...form.fields, username: USERS.bob.username, password: USERS.bob.password },
      });
      assert.ok(codeOf(hop, WEB));
    }
  });

  it('an interaction started in one browser cannot be completed in another (login CSRF: the binding holds)', async () => {
    const attacker = new TestBrowser(op.issuer);
    const victim = new TestBrowser(op.issuer);
    const page = await attacker.navigate(authorizeUrl(op.issuer, WEB));
    await victim.navigate(authorizeUrl(op.issuer, WEB)); // the victim has an interaction cookie of its own
    const form = parseForm(page.body);
    const hop = await victim.request(new URL(form.action, page.url).toString(), {
      form: { ...form.fields, username: USERS.alice.username, password: USERS.alice.password },
    });
    assert.equal(hop.status, 403, hop.body.slice(0, 200));
    assert.equal(hop.location, undefined);
  });

  it('a hostile interaction cookie value is replaced by a fresh secret, never reused', async () => {
    for (const hostile of ['x'.repeat(4000), 'short', '__proto__', 'a'.repeat(42) + '%']) {
      const browser = new TestBrowser(op.issuer);
      browser.cookies.set('signoff-ia', hostile);
      const hop = await browser.navigate(authorizeUrl(op.issuer, WEB));
      assert.ok(isLoginPage(hop.body));
      const value = browser.cookies.get('signoff-ia') ?? '';
      assert.match(value, /^[A-Za-z0-9_-]{43}$/, `replaced: ${hostile.slice(0, 20)}`);
      const form = parseForm(hop.body);
      const done = await browser.navigate(new URL(form.action, hop.url).toString(), {
        form: { ...form.fields, username: USERS.alice.username, password: USERS.alice.password },
      });
      assert.ok(codeOf(done, WEB));
    }
  });
});
