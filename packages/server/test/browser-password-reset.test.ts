/**
 * Password reset by email in real headless Chromium (issue 17 §4): on the sign-in page the user
 * clicks "Forgot password?", submits the username, opens the link from the mail the in-test SMTP
 * server caught, sets a new password and signs in with it — while the application of the
 * account's old session is told by back-channel logout and that session is gone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import { TestBrowser } from './helpers/browser.js';
import { type Mailbox, resetLinkOf, startMailbox } from './helpers/mailbox.js';
import { launchBrowser, newContext } from './helpers/pages-tour.js';
import { type TestProvider, USERS, defaultClients, startProvider } from './helpers/provider.js';
import { type Receiver, startReceiver, verifiedLogoutTokens } from './helpers/receiver.js';
import { WEB, authorizeUrl, codeOf, exchange, silent } from './helpers/session-flows.js';

const NEW_PASSWORD = 'chromium-chosen-long-passphrase';

let op: TestProvider;
let rx: Receiver;
let mailbox: Mailbox;
let browser: Browser;

before(async () => {
  rx = await startReceiver();
  mailbox = await startMailbox();
  op = await startProvider({ clients: defaultClients().map((c) => (c.client_id === 'web' ? { ...c, backchannel_logout_uri: rx.url } : c)), email: mailbox.config() }, { deliveries: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await op?.close();
  await mailbox?.close();
  await rx?.close();
});

describe('password reset in Chromium (issue 17 §4)', () => {
  it('"Forgot password?" → username → the link from the mail → a new password → signed in with it; the old session ended and its application told', async () => {
    const old = new TestBrowser(op.issuer);
    const tokens = await exchange(op.issuer, WEB, codeOf(await old.signIn(authorizeUrl(op.issuer, WEB), USERS.alice), WEB));
    const sid = decodeJwt(tokens.id_token).sid as string;
    const logoutsBefore = rx.received.length;

    const context = await newContext(browser, { locale: 'en-GB' });
    const outside: string[] = [];
    context.on('request', (r) => {
      if (!r.url().startsWith(op.issuer)) outside.push(r.url());
    });
    try {
      const page = await context.newPage();
      // The account pages' sign-in: it ends on ISSUER/account/sessions, which Chromium can show.
      await page.goto(`${op.issuer}/account/sessions`);
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.getByLabel('Username or email address').fill('alice');
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();

      const [mail] = await mailbox.waitFor(1);
      assert.ok(mail);
      await page.goto(resetLinkOf(mail));
      await page.getByLabel('New password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();

      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.locator('input[name="username"]').fill('alice');
      await page.locator('input[name="password"]').fill(NEW_PASSWORD);
      await page.locator('form button[type="submit"]').first().click();
      await page.waitForURL(`${op.issuer}/account/sessions`);
      assert.match(await page.content(), /Where you are signed in/);
      assert.deepEqual(outside, [], 'the browser only talked to the provider');
    } finally {
      await context.close();
    }

    const [logout] = await verifiedLogoutTokens(rx, op.issuer, 'web', logoutsBefore, 1);
    assert.equal(logout?.sid, sid, "the old session's application was told");
    assert.equal((await silent(old, op.issuer, WEB)).error, 'login_required');
  });
});
