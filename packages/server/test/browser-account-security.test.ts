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
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, assertChromiumInstalled, fillSignIn, isLocal } from './helpers/chromium.js';
import { type TestProvider, USERS, startProvider } from './helpers/provider.js';

/** WCAG 2.1 A and AA, as the other pages are checked (browser-pages-a11y.test.ts). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Serious or critical axe-core violations, and whether the page scrolls sideways at 360 px. */
const a11yProblems = async (page: Page): Promise<string[]> => {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} on ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}: ${v.help}`);
  await page.setViewportSize({ width: 360, height: 800 });
  const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  return scrolls ? [...found, 'scrolls horizontally at 360 px'] : found;
};

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
  it('"Add a passkey" registers a discoverable, user-verified passkey through the page\'s script, and the page shows it with the recovery codes; the page passes axe-core (WCAG 2.1 AA) and reflows at 360 px', { timeout: 60_000 }, async () => {
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
    assert.deepEqual(await a11yProblems(page), [], 'with a passkey and the recovery codes');
    await page.locator('#totp-label').fill('Phone');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    assert.deepEqual(await a11yProblems(page), [], 'with an authenticator app enrolment');
    assert.deepEqual(problems, [], 'no console error, no CSP violation');
    await context.close();
  });
});
