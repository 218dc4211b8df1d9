/**
 * The password-reset tests (test/helpers/password-reset-suite.ts) on the SQLite store
 * (startProvider's own file, fresh for this run), and what does not depend on the store: a relay
 * that refuses mail, and a provider without `email`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TestBrowser, isLoginPage, parseForm } from './helpers/browser.js';
import { startMailbox } from './helpers/mailbox.js';
import { passwordResetSuite } from './helpers/password-reset-suite.js';
import { startProvider } from './helpers/provider.js';
import { WEB, authorizeUrl } from './helpers/session-flows.js';

passwordResetSuite('SQLite', async () => ({}));

describe('email failures and configuration (issue 17 §4)', () => {
  it('a relay that refuses the mail: the user gets the same page, the failure is counted in /metrics', async () => {
    const refusing = await startMailbox({ failWith: 550 });
    const other = await startProvider({ email: refusing.config() });
    try {
      const browser = new TestBrowser(other.issuer);
      const page = await browser.request(`${other.issuer}/account/forgot`);
      const form = parseForm(page.body);
      const answer = await browser.request(new URL(form.action, page.url).toString(), { form: { ...form.fields, identifier: 'alice' } });
      assert.equal(answer.status, 200);
      assert.match(answer.body, /Check your email/);
      const deadline = Date.now() + 5000;
      let metrics = '';
      while (Date.now() < deadline && !/signoff_email_total\{kind="password_reset",outcome="failed"\} 1/.test(metrics)) {
        metrics = await (await fetch(`${other.management}/metrics`)).text();
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(metrics, /signoff_email_total\{kind="password_reset",outcome="failed"\} 1/);
    } finally {
      await other.close();
      await refusing.close();
    }
  });

  it('without email: no "Forgot password?" link (unless branding.passwordResetUrl) and no reset pages', async () => {
    const plain = await startProvider();
    try {
      const hop = await new TestBrowser(plain.issuer).navigate(authorizeUrl(plain.issuer, WEB));
      assert.ok(isLoginPage(hop.body));
      assert.doesNotMatch(hop.body, /forgot-password/);
      assert.equal((await fetch(`${plain.issuer}/account/forgot`)).status, 404);
      assert.equal((await fetch(`${plain.issuer}/account/reset?token=x`)).status, 404);
    } finally {
      await plain.close();
    }
  });
});
