/**
 * The devices page in real headless Chromium (issue 13 §1, §3): three browser contexts with
 * different user agents sign in at an application; the first opens ISSUER/account/sessions, sees
 * all three with their browser and system and "This device" on its own, ends one, then every
 * other. Its own session survives; the ended sessions' application receives its logout tokens
 * (Back-Channel Logout 1.0 §2.4-2.6). A form whose CSRF token was tampered with ends nothing.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, assertChromiumInstalled, fillSignIn, isLocal } from './helpers/chromium.js';
import { type TestProvider, USERS, defaultClients, startProvider } from './helpers/provider.js';
import { type Receiver, startReceiver, verifiedLogoutTokens } from './helpers/receiver.js';
import { PKCE_S256 } from './helpers/session-flows.js';

const AGENTS = {
  firefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
} as const;

let op: TestProvider;
let rx: Receiver;
let app: { url: string; close(): Promise<void> };
let browser: Browser;
const contexts: BrowserContext[] = [];
const requested: string[] = [];

before(async () => {
  assertChromiumInstalled();
  rx = await startReceiver();
  // The application's redirect URI: a page that just says it got the code.
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  app = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
  op = await startProvider(
    { clients: defaultClients().map((c) => (c.client_id === 'web' ? { ...c, redirect_uris: [`${app.url}/cb`], backchannel_logout_uri: rx.url } : c)) },
    { deliveries: true },
  );
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout: 20_000 });
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await op?.close();
  await rx?.close();
  await app?.close();
  assert.ok(requested.every(isLocal), `only loopback: ${requested.filter((u) => !isLocal(u)).join(' ')}`);
});

/** A new browser (context) with its own user agent, signed in at the application on the real sign-in page. */
const signedInBrowser = async (userAgent: string): Promise<Page> => {
  const context = await browser.newContext({ userAgent, locale: 'en-US' });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  context.on('request', (r) => requested.push(r.url()));
  const page = await context.newPage();
  const url = new URL(`${op.issuer}/authorize`);
  for (const [k, v] of Object.entries({ client_id: 'web', response_type: 'code', scope: 'openid', redirect_uri: `${app.url}/cb`, state: 's', nonce: 'n', ...PKCE_S256 })) url.searchParams.set(k, v);
  await page.goto(url.toString());
  await fillSignIn(page, USERS.alice);
  await page.waitForURL(`${app.url}/cb?**`);
  return page;
};

const headings = async (page: Page): Promise<string[]> => (await page.locator('ul.sessions h2').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());

const logoutTokensSince = (before: number, count: number) => verifiedLogoutTokens(rx, op.issuer, 'web', before, count);

describe('the devices page in Chromium (issue 13 §1, §3)', () => {
  it('three browsers: the first sees all three, ends one, then every other; its own survives; the ended sessions\' application is told; a tampered CSRF token ends nothing', async () => {
    const a = await signedInBrowser(AGENTS.firefox);
    const b = await signedInBrowser(AGENTS.iphone);
    const c = await signedInBrowser(AGENTS.android);
    await a.goto(`${op.issuer}/account/sessions`);
    assert.equal(await a.getAttribute('html', 'lang'), 'en');
    const all = await headings(a);
    assert.equal(all.length, 3, all.join(' | '));
    assert.ok(all.includes('Firefox 128 on Windows 10 This device'), all.join(' | '));
    assert.ok(all.includes('Mobile Safari 17 on iOS 17.5'), all.join(' | '));
    assert.ok(all.includes('Chrome 126 on Android 14'), all.join(' | '));
    assert.equal(await a.getByText('Web App').count(), 3, 'each is signed in to the application, by its name');

    // A tampered token: the browser posts the form, nothing ends, the page says why.
    await a.locator('input[name="csrf_token"]').first().evaluate((el) => ((el as HTMLInputElement).value = 'tampered'));
    await a.locator('form:has(button[name="end_session"])').first().locator('button').click();
    await a.getByText('the form had expired').waitFor();
    assert.equal((await headings(a)).length, 3, 'nothing ended');

    const before1 = rx.received.length;
    const iphone = a.locator('li', { has: a.getByRole('heading', { name: 'Mobile Safari 17 on iOS 17.5' }) });
    await iphone.getByRole('button', { name: 'Sign out this device' }).click();
    await a.getByText('That device is signed out').waitFor();
    const [first] = await logoutTokensSince(before1, 1);
    assert.ok(first?.sid, 'a logout token for the ended session');
    assert.deepEqual((await headings(a)).sort(), ['Chrome 126 on Android 14', 'Firefox 128 on Windows 10 This device']);

    const before2 = rx.received.length;
    await a.getByRole('button', { name: 'Sign out all other devices' }).click();
    await a.getByText('1 other devices are signed out').waitFor();
    const [second] = await logoutTokensSince(before2, 1);
    assert.notEqual(second?.sid, first?.sid);
    assert.deepEqual(await headings(a), ['Firefox 128 on Windows 10 This device']);

    // The ended browsers are asked to sign in again; the first is not.
    for (const [page, signedOut] of [[b, true], [c, true], [a, false]] as const) {
      await page.goto(`${op.issuer}/account/sessions`);
      assert.equal(await page.locator('input[name="password"]').count() > 0, signedOut, `${await page.evaluate(() => navigator.userAgent)}`);
    }
  });
});
