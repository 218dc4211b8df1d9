/**
 * The security page's passkey button in real headless Chromium (issue 14 §2; WebAuthn Level 3
 * §5.1.3): a virtual authenticator (the DevTools protocol's WebAuthn domain, with resident keys
 * and user verification) stands in for the platform's, and the page's own script fetches the
 * options, calls navigator.credentials.create() and posts the credential — under the page's CSP,
 * with no console error. The issuer is http://localhost, a secure context whose host is a valid
 * RP ID (an IP address is not one).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, assertChromiumInstalled, fillSignIn, isLocal } from './helpers/chromium.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';

let op: TestProvider;
let browser: Browser;
const requested: string[] = [];

before(async () => {
  assertChromiumInstalled();
  op = await startProvider({}, { host: 'localhost' });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout: 20_000 });
});
after(async () => {
  await browser?.close();
  await op?.close();
  assert.ok(requested.every(isLocal), `only loopback: ${requested.filter((u) => !isLocal(u)).join(' ')}`);
});

describe('the security page in Chromium (issue 14 §2)', () => {
  it('"Add a passkey" registers a discoverable, user-verified passkey through the page\'s script, and the page shows it with the recovery codes', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(10_000);
    context.on('request', (r) => requested.push(r.url()));
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });

    await page.goto(`${op.issuer}/account/security`);
    await fillSignIn(page, USERS.alice);
    await page.waitForURL(`${op.issuer}/account/sessions`);
    await page.getByRole('link', { name: /Sign-in security/ }).click();
    await page.waitForURL(`${op.issuer}/account/security`);
    await page.locator('#passkey-label').fill('Virtual key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Your passkey is added.').waitFor();

    assert.equal(await page.locator('ul.codes li').count(), 10, 'the recovery codes of a first factor');
    assert.ok(await page.getByRole('heading', { name: 'Virtual key' }).isVisible());
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0]?.isResidentCredential, true, 'discoverable');
    assert.equal(credentials[0]?.rpId, 'localhost');
    const account = await op.provider.store.accountByUsername(USERS.alice.username);
    const [factor] = await op.provider.store.factorsOf(account?.id ?? '');
    assert.equal(factor?.kind, 'passkey');
    assert.equal(factor?.kind === 'passkey' && factor.credentialId, Buffer.from(credentials[0]?.credentialId ?? '', 'base64').toString('base64url'));
    assert.deepEqual(problems, [], 'no console error, no CSP violation');
    await context.close();
  });
});
