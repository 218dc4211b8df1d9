/**
 * A second factor from an authenticator app, end to end over HTTP (issue 14 §2-3): Alice enrols
 * TOTP on the security page's forms with the key it shows; codes are computed here (RFC 6238)
 * at the provider's clock; every ID token is redeemed and validated by openid-client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { ManualClock } from '../src/clock.js';
import { endingDeps } from '../src/provider.js';
import { endSessions } from '../src/sessions/end.js';
import { TestBrowser, isLoginPage, parseForm } from './helpers/browser.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { WEB, allSessions, browserIdOf, signInFresh } from './helpers/session-flows.js';
import {
  MFA_ACR,
  PWD_ACR,
  enrolTotpOnPage,
  isSecondFactorPage,
  redeem,
  redirectError,
  rpFor,
  startFlow,
  submitCode,
  totpAt,
} from './helpers/step-up.js';

// Ten minutes behind the wall clock, so that moving it on never puts an `iat` in openid-client's future.
const clock = new ManualClock(Date.now() - 10 * 60_000);
let op: TestProvider;
let rp: oidc.Configuration;
let secret: string;
let recoveryCodes: string[];

before(async () => {
  op = await startProvider({}, { clock });
  rp = await rpFor(op.issuer, WEB);
  const { browser } = await signInFresh(op.issuer, WEB, USERS.alice);
  ({ secret, recoveryCodes } = await enrolTotpOnPage(op.issuer, browser, clock));
  // The enrolment used this 30-second step's code: the tests start on the next one.
  clock.advance(30);
});
after(() => op?.close());

/** A fresh browser through the sign-in page with Alice's password, for a request asking mfa: it stops on the second-factor page. */
const passwordThenFactorPage = async (extra: Record<string, string> = { acr_values: MFA_ACR }) => {
  const browser = new TestBrowser(op.issuer);
  const flow = await startFlow(rp, WEB, extra);
  const hop = await browser.signIn(flow.url.toString(), USERS.alice);
  assert.equal(hop.status, 200, hop.location);
  assert.ok(isSecondFactorPage(hop.body) && !isLoginPage(hop.body), 'the second-factor page');
  return { browser, flow, hop };
};

/** A six-digit code that is none of the codes of the steps around now. */
const wrongCode = (): string => {
  const near = new Set([-1, 0, 1].map((s) => totpAt(secret, clock, s)));
  return ['000000', '111111', '222222', '333333'].find((c) => !near.has(c)) as string;
};

describe('TOTP as a second factor over HTTP (issue 14 §2-3; RFC 6238; OIDC Core §2 acr, RFC 8176 amr)', () => {
  it('a password session asked for acr_values=mfa gets the second-factor page only, never the password again; the ID token has acr mfa, amr pwd+otp+mfa, the same sid and a newer auth_time', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await startFlow(rp, WEB);
    const prior = await redeem(rp, WEB, first, await browser.signIn(first.url.toString(), USERS.alice));
    assert.equal(prior.claims.acr, PWD_ACR);
    assert.deepEqual(prior.claims.amr, ['pwd']);
    clock.advance(31);

    const flow = await startFlow(rp, WEB, { acr_values: MFA_ACR });
    const page = await browser.navigate(flow.url.toString());
    assert.equal(page.status, 200);
    assert.ok(isSecondFactorPage(page.body), 'the second-factor page');
    assert.ok(!isLoginPage(page.body), 'no password field: the password is not asked again');
    assert.match(page.body, /One more step/);
    assert.doesNotMatch(page.body, /name="method" value="passkey"/, 'no passkey on an IP-address issuer');
    assert.match(page.body, /name="method" value="recovery_code"/, 'the recovery code as a way out');

    const stepped = await redeem(rp, WEB, flow, await submitCode(browser, page, 'totp', totpAt(secret, clock)));
    assert.equal(stepped.claims.acr, MFA_ACR);
    for (const amr of ['pwd', 'otp', 'mfa']) assert.ok(stepped.claims.amr?.includes(amr), `amr has ${amr}: ${stepped.claims.amr?.join(' ')}`);
    assert.equal(stepped.claims.sub, prior.claims.sub);
    assert.equal(stepped.claims.sid, prior.claims.sid, 'the same session: the same sid');
    assert.ok((stepped.claims.auth_time ?? 0) > (prior.claims.auth_time ?? 0), 'auth_time is the step-up');
    clock.advance(30);
  });

  it('a code is accepted once: the same code in another sign-in is refused; the next step\'s code works (RFC 6238 §5.2 "MUST NOT accept the second attempt")', async () => {
    const first = await passwordThenFactorPage();
    const code = totpAt(secret, clock);
    const done = await redeem(rp, WEB, first.flow, await submitCode(first.browser, first.hop, 'totp', code));
    assert.equal(done.claims.acr, MFA_ACR);

    const second = await passwordThenFactorPage();
    const replayed = await submitCode(second.browser, second.hop, 'totp', code);
    assert.equal(replayed.status, 401);
    assert.ok(isSecondFactorPage(replayed.body), 'the form again');
    assert.match(replayed.body, /role="alert">That did not work/);
    clock.advance(30);
    const next = await redeem(rp, WEB, second.flow, await submitCode(second.browser, replayed, 'totp', totpAt(secret, clock)));
    assert.equal(next.claims.acr, MFA_ACR);
    clock.advance(30);
  });

  it('a recovery code signs in once as a second factor (amr otp, acr mfa); the same code again is refused', async () => {
    const [code] = recoveryCodes as [string];
    const first = await passwordThenFactorPage();
    const done = await redeem(rp, WEB, first.flow, await submitCode(first.browser, first.hop, 'recovery_code', code));
    assert.equal(done.claims.acr, MFA_ACR);
    assert.ok(done.claims.amr?.includes('otp') && done.claims.amr.includes('mfa'), done.claims.amr?.join(' '));

    const second = await passwordThenFactorPage();
    const again = await submitCode(second.browser, second.hop, 'recovery_code', code);
    assert.equal(again.status, 401);
    assert.ok(isSecondFactorPage(again.body));
    assert.equal(again.location, undefined, 'no answer to the client');
    const also = await submitCode(second.browser, again, 'recovery_code', code.toUpperCase());
    assert.equal(also.status, 401, 'nor in capitals');
  });

  it('five wrong codes end the interaction: the client gets access_denied (RFC 6749 §4.1.2.1), and the interaction is gone', async () => {
    const { browser, flow, hop } = await passwordThenFactorPage();
    let page = hop;
    for (let i = 1; i < 5; i++) {
      page = await submitCode(browser, page, i % 2 ? 'totp' : 'recovery_code', i % 2 ? wrongCode() : 'aaaa-bbbb-cccc-dddd');
      assert.equal(page.status, 401, `wrong code ${i}`);
    }
    const fifth = await submitCode(browser, page, 'totp', wrongCode());
    const { error, description } = await redirectError(rp, WEB, flow, fifth);
    assert.equal(error, 'access_denied');
    assert.ok(description, 'with an error_description');
    const late = await submitCode(browser, page, 'totp', totpAt(secret, clock));
    assert.equal(late.status, 400, 'the interaction was consumed');
    assert.equal(late.location, undefined);
  });

  it('a step-up whose session ended meanwhile (signed out in another tab) is not completed by the second factor: no session comes back from the old password', async () => {
    const browser = new TestBrowser(op.issuer);
    const first = await startFlow(rp, WEB);
    await redeem(rp, WEB, first, await browser.signIn(first.url.toString(), USERS.alice));
    const flow = await startFlow(rp, WEB, { acr_values: MFA_ACR });
    const page = await browser.navigate(flow.url.toString());
    assert.ok(isSecondFactorPage(page.body));
    const live = (await allSessions(op)).filter((s) => s.browserId === browserIdOf(browser) && s.endedAt === undefined);
    assert.equal(live.length, 1);
    await endSessions(endingDeps(op.provider), { sessionId: live[0]?.id ?? '' }, 'logout', 'user');

    clock.advance(30);
    const late = await submitCode(browser, page, 'totp', totpAt(secret, clock));
    assert.equal(late.location, undefined, `no answer to the client: ${late.location ?? ''}`);
    assert.equal(late.status, 400);
    const after = (await allSessions(op)).filter((s) => s.browserId === browserIdOf(browser) && s.endedAt === undefined);
    assert.deepEqual(after, [], 'no live session on this browser');
  });

  it('racing: one code posted at once to two sign-ins, and one recovery code likewise, answers exactly one of them (RFC 6238 §5.2; each recovery code once)', async () => {
    clock.advance(30);
    const code = totpAt(secret, clock);
    for (const [method, value] of [['totp', code], ['recovery_code', recoveryCodes[1] as string]] as const) {
      const [a, b] = await Promise.all([passwordThenFactorPage(), passwordThenFactorPage()]);
      const hops = await Promise.all([submitCode(a.browser, a.hop, method, value), submitCode(b.browser, b.hop, method, value)]);
      const answered = hops.filter((h) => h.location?.startsWith(WEB.redirect_uri));
      assert.equal(answered.length, 1, `${method}: ${hops.map((h) => h.status).join(' ')}`);
      assert.deepEqual(hops.filter((h) => !h.location).map((h) => h.status), [401]);
    }
  });

  it('the security page first asks a password-only session for the second factor: until then it shows no form, and the passkey options are refused (issue 14 §2)', async () => {
    const enrolling = await signInFresh(op.issuer, WEB, USERS.bob);
    const { secret: bobSecret } = await enrolTotpOnPage(op.issuer, enrolling.browser, clock);
    clock.advance(30);
    const { browser } = await signInFresh(op.issuer, WEB, USERS.bob);
    const page = await browser.request(`${op.issuer}/account/security`);
    assert.equal(page.status, 303, 'no page, so no form to remove the factor with');
    const to = new URL(page.location ?? '');
    assert.equal(to.searchParams.get('acr_values'), MFA_ACR);
    assert.equal(to.searchParams.get('login_hint'), USERS.bob.username);
    assert.equal(to.searchParams.get('max_age'), null, 'the password is recent: only the second factor is asked');
    const factorPage = await browser.navigate(page.location ?? '');
    assert.ok(isSecondFactorPage(factorPage.body), 'the second-factor page, not the password again');
    const shown = await submitCode(browser, factorPage, 'totp', totpAt(bobSecret, clock));
    assert.equal(shown.status, 200);
    assert.match(shown.body, /name="remove"/, 'with the second factor, the page and its forms');
  });

  it('wrong codes posted at once each count: of twenty in parallel, four are refused, one answers access_denied, the rest find the interaction gone', async () => {
    const { browser, hop } = await passwordThenFactorPage();
    const hops = await Promise.all(Array.from({ length: 20 }, () => submitCode(browser, hop, 'totp', wrongCode())));
    const outcome = (h: (typeof hops)[number]) => (h.location?.startsWith(WEB.redirect_uri) ? new URL(h.location).searchParams.get('error') : String(h.status));
    const counts = new Map<string | null, number>();
    for (const h of hops) counts.set(outcome(h), (counts.get(outcome(h)) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(counts), { '401': 4, access_denied: 1, '400': 15 });
  });

  it('wrong second factors are throttled per account across sign-ins (RFC 6238 §5.2; NIST SP 800-63B §5.2.2): past the free failures even the right code waits, whatever the interaction', async () => {
    // Fifteen wrong codes over three sign-ins, the clock standing still: the account counter's ten
    // free failures pass, the eleventh sets a wait, and what follows is refused unverified.
    for (let n = 0; n < 3; n++) {
      const { browser, hop } = await passwordThenFactorPage();
      let page = hop;
      for (let k = 0; k < 5; k++) page = await submitCode(browser, page, 'totp', wrongCode());
    }
    const waiting = await passwordThenFactorPage();
    const refused = await submitCode(waiting.browser, waiting.hop, 'totp', totpAt(secret, clock));
    assert.equal(refused.location, undefined, `the right code during the wait answered the client: ${refused.location ?? ''}`);
    assert.equal(refused.status, 401, 'refused like a wrong code');
    clock.advance(30);
    const later = await passwordThenFactorPage();
    const accepted = await submitCode(later.browser, later.hop, 'totp', totpAt(secret, clock));
    assert.ok(accepted.location?.startsWith(WEB.redirect_uri) && new URL(accepted.location).searchParams.has('code'), 'once the wait is over, the right code signs in');
  });
});
