/**
 * Session Management 1.0 with a real client library in a real browser (issue 4, "Tests that must
 * exist"): an oidc-client-ts single-page application (public client, code + PKCE) with
 * `monitorSession` notices, through the provider's check_session iframe, that the user signed
 * out at the provider in another tab.
 *
 * Deployment: provider and SPA both on 127.0.0.1 (same site), so the iframe can read the
 * browser-state cookie whatever the third-party-cookie setting (see
 * browser-third-party-cookies.test.ts for cross-site).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { AppServer, type Op, USERS, serveOidcClientTsSpa, spaClient, startOp } from './helpers/apps.js';
import { type Chromium, fillSignIn, isLocal, launchChromium } from './helpers/chromium.js';

interface SpaState {
  ready: boolean;
  user: { sub: string; sid?: string; session_state: string | null } | null;
  signedOut: boolean;
  events: string[];
  opMessages: string[];
  error: string | null;
}

const spaState = (page: Page): Promise<SpaState> => page.evaluate(() => (window as unknown as { spa: SpaState }).spa);

describe('an oidc-client-ts SPA with monitorSession notices a sign-out at the provider (Session Management 1.0 §2, §3.1-§3.2)', () => {
  let spa: AppServer;
  let op: Op;
  let browser: Chromium;
  let app: Page;

  before(async () => {
    spa = await AppServer.start();
    op = await startOp({ host: '127.0.0.1', clients: [spaClient(spa.origin)] });
    serveOidcClientTsSpa(spa, op.issuer);
    browser = await launchChromium({ thirdPartyCookies: 'blocked' });
    app = browser.page;
  });

  after(async () => {
    await browser?.close();
    await Promise.all([op?.close(), spa?.close()]);
  });

  it('the SPA signs in with signinRedirect (code + PKCE) and gets a session_state (Session Management §2)', async () => {
    await app.goto(`${spa.origin}/`);
    await app.waitForFunction(() => (window as unknown as { spa?: SpaState }).spa?.ready === true, null, { timeout: 10_000 });
    await app.getByRole('button', { name: 'Sign in', exact: true }).click();
    await app.waitForURL(`${op.issuer}/**`);
    await fillSignIn(app, USERS.alice);
    await app.waitForURL(`${spa.origin}/?**`);
    await app.waitForFunction(() => (window as unknown as { spa?: SpaState }).spa?.ready === true, null, { timeout: 10_000 });
    const state = await spaState(app);
    assert.equal(state.error, null);
    assert.ok(state.user, 'oidc-client-ts stored the user');
    assert.ok(state.user.session_state, 'the authorization response carried session_state');
    assert.doesNotMatch(state.user.session_state, / /, 'no spaces in session_state (§2)');
    const token = browser.requests.find((r) => r.url() === `${op.issuer}/token`);
    assert.ok(token, 'the code was redeemed from the page (CORS)');
    assert.match(token.postData() ?? '', /code_verifier=/, 'with PKCE');
  });

  it('check_session iframe (§3.2): the provider\'s iframe answers "unchanged" to the SPA\'s postMessage while the user stays signed in', async () => {
    await app.waitForFunction(() => (window as unknown as { spa: SpaState }).spa.opMessages.filter((m) => m === 'unchanged').length >= 2, null, { timeout: 10_000 });
    const state = await spaState(app);
    assert.equal(state.signedOut, false);
    assert.ok(!state.opMessages.includes('changed'), `no "changed" while signed in: ${state.opMessages.join(',')}`);
    assert.ok(!state.opMessages.includes('error'), `no "error": ${state.opMessages.join(',')}`);
    const frame = app.frames().find((f) => f.url().startsWith(`${op.issuer}/check-session`));
    assert.ok(frame, 'oidc-client-ts embedded the check_session_iframe from discovery');
  });

  it('Session Management §3.1-§3.2: after the user signs out at the provider in another tab (confirmation page → "Sign out"), the iframe answers "changed" and oidc-client-ts raises userSignedOut within 10 s', async () => {
    const other = await browser.context.newPage();
    try {
      await other.goto(`${op.issuer}/logout`);
      assert.ok(await other.locator('input[name="logout_scope"][value="session"]').isChecked(), 'confirmation page, "this account on this browser" chosen');
      await other.getByRole('button', { name: 'Sign out', exact: true }).click();
      await other.getByRole('heading', { name: 'You are signed out' }).waitFor({ timeout: 10_000 });
    } finally {
      await other.close();
    }
    const signedOutAt = Date.now();
    await app.waitForFunction(() => (window as unknown as { spa: SpaState }).spa.signedOut === true, null, { timeout: 10_000 });
    const state = await spaState(app);
    assert.ok(state.opMessages.includes('changed'), `the OP iframe said "changed": ${state.opMessages.join(',')}`);
    assert.ok(state.events.includes('userSignedOut'), `events: ${state.events.join(',')}`);
    assert.ok(!state.events.includes('userSessionChanged'), 'not mistaken for a mere session change');
    // oidc-client-ts confirmed with a prompt=none request in a hidden iframe, which the provider
    // answered with login_required at the silent_redirect_uri.
    const silent = browser.requests.filter((r) => r.url().startsWith(`${spa.origin}/silent.html?`)).map((r) => new URL(r.url()));
    assert.ok(
      silent.some((u) => u.searchParams.get('error') === 'login_required'),
      `querySessionStatus got login_required: ${silent.map((u) => u.search).join(' | ')}`,
    );
    assert.ok(Date.now() - signedOutAt < 10_000);
  });

  it('the browser only talked to loopback', () => {
    assert.deepEqual(browser.requests.map((r) => r.url()).filter((u) => !isLocal(u)), []);
  });
});
