/**
 * The security page asks for a recent sign-in before showing or changing the account's factors
 * (issue 14 §2; GitHub's "sudo mode"): with the provider's clock moved past RECENT_SIGN_IN, the
 * page and its forms send the browser through a fresh sign-in of the same account (OIDC Core
 * §3.1.2.1 max_age and login_hint), which asks for the second factor the account has.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { ManualClock } from '../src/clock.js';
import { RECENT_SIGN_IN } from '../src/http/routes/account-security.js';
import { TestBrowser, parseForm } from './helpers/browser.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { WEB, authorizeUrl } from './helpers/session-flows.js';

let op: TestProvider;
const clock = new ManualClock(Date.UTC(2026, 11, 1, 12, 0, 10));

before(async () => {
  op = await startProvider({}, { clock });
});
after(() => op?.close());

/** The form of the page that has a field or button named `name`. */
const formWith = (html: string, name: string) => {
  const form = [...html.matchAll(/<form[\s\S]*?<\/form>/g)].map((m) => m[0]).find((f) => f.includes(`name="${name}"`));
  if (!form) throw new Error(`no form with ${name}:\n${html.slice(0, 800)}`);
  const parsed = parseForm(form);
  // A submit button's own name and value go with the form, as a browser sends them.
  const button = new RegExp(`<button type="submit" name="${name}" value="([^"]*)"`).exec(form);
  return button ? { action: parsed.action, fields: { ...parsed.fields, [name]: button[1] as string } } : parsed;
};

const secretOf = (html: string): string => (/<code>([A-Z2-7 ]+)<\/code>/.exec(html)?.[1] ?? '').replaceAll(' ', '');
const codeAt = (secret: string, ms: number): string => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: ms });

describe('a recent sign-in before factors change (issue 14 §2)', () => {
  it('past RECENT_SIGN_IN the page, its forms and the passkey options ask for a fresh sign-in of the account, with its second factor', async () => {
    const browser = new TestBrowser(op.issuer);
    await browser.signIn(authorizeUrl(op.issuer, WEB), USERS.alice);
    const page = `${op.issuer}/account/security`;
    // Enrol an authenticator app while the sign-in is recent.
    let hop = await browser.navigate(page);
    assert.equal(hop.status, 200);
    const start = formWith(hop.body, 'totp_start');
    hop = await browser.navigate(new URL(start.action, page).toString(), { form: start.fields });
    const secret = secretOf(hop.body);
    const confirm = formWith(hop.body, 'totp_confirm');
    hop = await browser.navigate(new URL(confirm.action, page).toString(), { form: { ...confirm.fields, code: codeAt(secret, clock.nowMs()) } });
    assert.equal(hop.status, 200);
    const removeForm = formWith(hop.body, 'remove');

    clock.advance(RECENT_SIGN_IN + 60);
    const again = await browser.request(page);
    assert.equal(again.status, 303);
    const to = new URL(again.location ?? '');
    assert.equal(to.pathname.endsWith('/authorize'), true);
    assert.equal(to.searchParams.get('max_age'), String(RECENT_SIGN_IN));
    assert.equal(to.searchParams.get('login_hint'), USERS.alice.username);
    assert.equal(to.searchParams.get('acr_values'), 'urn:signoff:acr:mfa');

    // A form posted from the old page changes nothing and asks for the same.
    const posted = await browser.request(new URL(removeForm.action, page).toString(), { form: { ...removeForm.fields } });
    assert.equal(posted.status, 303);
    assert.equal(new URL(posted.location ?? '').searchParams.get('max_age'), String(RECENT_SIGN_IN));
    const options = await browser.request(`${op.issuer}/account/security/passkey-options`, { form: { account: removeForm.fields.account ?? '', csrf_token: removeForm.fields.csrf_token ?? '' } });
    assert.equal(options.status, 403);

    // The fresh sign-in the last redirect started (its state is the one the browser's cookie holds):
    // the password, then, as the account has an authenticator app, its code — not the chooser.
    hop = await browser.navigate(posted.location ?? '');
    const login = parseForm(hop.body);
    assert.ok('password' in login.fields || /name="password"/.test(hop.body));
    hop = await browser.navigate(new URL(login.action, hop.url).toString(), { form: { ...login.fields, username: USERS.alice.username, password: USERS.alice.password } });
    assert.match(hop.body, /name="method" value="totp"/, 'the second-factor page');
    clock.advance(30);
    const totp = formWith(hop.body, 'code');
    hop = await browser.navigate(new URL(totp.action, hop.url).toString(), { form: { ...totp.fields, code: codeAt(secret, clock.nowMs()) } });
    assert.equal(hop.status, 200);
    assert.match(hop.body, /name="remove"/, 'back on the security page, which can change factors again');
  });
});
