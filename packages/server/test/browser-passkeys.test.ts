/**
 * Passkeys in real headless Chromium (issue 14 §5; WebAuthn Level 3 §5.1.4 get): a DevTools
 * virtual authenticator (resident keys, user verification) on the page's CDP session stands in
 * for the platform's. Alice adds a passkey on the security page; her cookies are cleared (signed
 * out) and the authenticator stays, so "Sign in with a passkey" signs her in without a password;
 * a password-only session asked for phishing resistance is stepped up with it. The application's
 * callback is answered by a route in the browser; its code is redeemed by openid-client. The
 * sign-in and second-factor pages pass axe-core (WCAG 2.1 AA) with the passkey offered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import * as oidc from 'openid-client';
import { type Browser, type BrowserContext, type CDPSession, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, assertChromiumInstalled, fillSignIn, isLocal } from './helpers/chromium.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';
import { WEB } from './helpers/session-flows.js';
import { MFA_ACR, PHR_ACR, PWD_ACR, type Flow, rpFor, startFlow } from './helpers/step-up.js';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const a11yProblems = async (page: Page): Promise<string[]> => {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} on ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}: ${v.help}`);
};

let op: TestProvider;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
let rp: oidc.Configuration;
const requested: string[] = [];
const problems: string[] = [];

before(async () => {
  assertChromiumInstalled();
  op = await startProvider({}, { host: 'localhost' });
  rp = await rpFor(op.issuer, WEB);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout: 20_000 });
  context = await browser.newContext({ locale: 'en-US' });
  context.setDefaultTimeout(10_000);
  context.on('request', (r) => requested.push(r.url()));
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  }));
});
after(async () => {
  await browser?.close();
  await op?.close();
  assert.ok(requested.every(isLocal), `only loopback: ${requested.filter((u) => !isLocal(u)).join(' ')}`);
});

/** Waits for the browser to reach the application's callback, and redeems its code with openid-client. */
const redeemAtCallback = async (flow: Flow) => {
  // The request the browser makes to the callback (seen whether or not its page then loads).
  let callback: string | undefined;
  for (let i = 0; i < 200 && !callback; i++) {
    callback = requested.find((u) => u.startsWith(`${WEB.redirect_uri}?`) && new URL(u).searchParams.get('state') === flow.state);
    if (!callback) await new Promise((r) => setTimeout(r, 50));
  }
  if (!callback) throw new Error(`the browser never reached the callback; last requests: ${requested.slice(-5).join(' ')}`);
  // Playwright routes only the first URL of a redirect chain, so nothing answers the callback the
  // provider redirects to: let that navigation end (on the browser's error page) before the next
  // flow navigates, or it would interrupt it.
  for (let i = 0; i < 100 && !/^(chrome-error:|http:\/\/127\.0\.0\.1:5001\/)/.test(page.url()); i++) await new Promise((r) => setTimeout(r, 50));
  await page.goto('about:blank');
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(callback), {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
    idTokenExpected: true,
  });
  return tokens.claims() as oidc.IDToken & { acr?: string; amr?: string[]; sid?: string; auth_time?: number };
};

describe('passkeys in Chromium with a virtual authenticator (issue 14 §5)', () => {
  it('a passkey added on the security page signs in without a password: acr phishing-resistant, amr with pop, user and mfa (WebAuthn §6.2.2 discoverable credentials; RFC 8176 §2)', { timeout: 60_000 }, async () => {
    await page.goto(`${op.issuer}/account/security`);
    await fillSignIn(page, USERS.alice);
    await page.waitForURL(`${op.issuer}/account/security`); // the sign-in comes back to the page that asked for it
    await page.locator('#passkey-label').fill('Virtual key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Your passkey is added.').waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);

    await context.clearCookies(); // signed out; the authenticator keeps the passkey
    const flow = await startFlow(rp, WEB);
    await page.goto(flow.url.toString());
    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    await button.waitFor();
    assert.deepEqual(await a11yProblems(page), [], 'the sign-in page with its passkey button');
    await button.click();
    const claims = await redeemAtCallback(flow);
    assert.equal(claims.acr, PHR_ACR);
    for (const amr of ['pop', 'user', 'mfa']) assert.ok(claims.amr?.includes(amr), `amr has ${amr}: ${claims.amr?.join(' ')}`);
    assert.ok(claims.amr?.includes('hwk') || claims.amr?.includes('swk'), 'a key, hardware- or software-secured');
    assert.ok(!claims.amr?.includes('pwd'), 'no password');
    const account = await op.provider.store.accountByUsername(USERS.alice.username);
    assert.equal(claims.sub, account?.id);
  });

  it('a password-only session asked for acr_values phishing-resistant gets the second-factor page offering the passkey, and after it the same sid at phishing-resistant; the page passes axe-core', { timeout: 60_000 }, async () => {
    await context.clearCookies();
    const first = await startFlow(rp, WEB);
    await page.goto(first.url.toString());
    await fillSignIn(page, USERS.alice);
    const prior = await redeemAtCallback(first);
    assert.equal(prior.acr, PWD_ACR);

    // Asked for mfa, the page offers the passkey and the recovery codes (no authenticator app here).
    const mfa = await startFlow(rp, WEB, { acr_values: MFA_ACR });
    await page.goto(mfa.url.toString());
    await page.getByRole('heading', { name: 'One more step' }).waitFor();
    assert.equal(await page.locator('input[name="password"]').count(), 0, 'the password is not asked again');
    assert.ok(await page.getByRole('button', { name: 'Use your passkey' }).isVisible());
    assert.equal(await page.locator('input[name="method"][value="recovery_code"]').count(), 1);
    assert.deepEqual(await a11yProblems(page), [], 'the second-factor page for mfa');

    const phr = await startFlow(rp, WEB, { acr_values: PHR_ACR });
    await page.goto(phr.url.toString());
    const usePasskey = page.getByRole('button', { name: 'Use your passkey' });
    await usePasskey.waitFor();
    assert.equal(await page.locator('input[name="method"][value="recovery_code"]').count(), 0, 'a recovery code is not phishing-resistant');
    assert.deepEqual(await a11yProblems(page), [], 'the second-factor page for phishing resistance');
    await usePasskey.click();
    const stepped = await redeemAtCallback(phr);
    assert.equal(stepped.acr, PHR_ACR);
    for (const amr of ['pwd', 'pop', 'mfa']) assert.ok(stepped.amr?.includes(amr), `amr has ${amr}: ${stepped.amr?.join(' ')}`);
    assert.equal(stepped.sid, prior.sid, 'the same session');
    assert.ok((stepped.auth_time ?? 0) >= (prior.auth_time ?? 0));
    assert.deepEqual(problems, [], 'no console error, no CSP violation');
  });
});
