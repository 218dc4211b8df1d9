/**
 * The pages in headless Chromium (issue 13 §2): the show-password toggle works with script
 * (aria-pressed, the field's type) and is absent without it, where the field stays a plain
 * password field; the front-channel iframes of the signed-out page are plain <iframe> elements
 * that load without script (Front-Channel Logout 1.0 §3); the pages do not overflow 320 CSS px
 * (360 px at more than 100% zoom) and show a focus outline.
 */
import assert from 'node:assert/strict';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, assertChromiumInstalled, waitUntil } from './helpers/chromium.js';
import { type TestProvider, USERS, defaultClients, startProvider } from './helpers/provider.js';
import { authorizeUrl } from './helpers/session-flows.js';

interface Hit {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

describe('the pages in Chromium, with and without script (issue 13 §2; Front-Channel Logout 1.0 §3)', () => {
  let app: Server;
  let origin: string;
  const hits: Hit[] = [];
  let op: TestProvider;
  let browser: Browser;
  const client = () => ({ client_id: 'fc', client_secret: 'fc-secret-0123456789-0123456789-abcdef', redirect_uri: `${origin}/cb` });

  before(async () => {
    app = createServer((req, res) => {
      const url = new URL(req.url ?? '/', origin);
      hits.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>app</title><p>app');
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    op = await startProvider({
      users: [USERS.alice],
      clients: [
        ...defaultClients(),
        {
          client_id: 'fc',
          client_secret: client().client_secret,
          client_name: 'Front Channel App',
          redirect_uris: [`${origin}/cb`],
          frontchannel_logout_uri: `${origin}/fcl`,
          frontchannel_logout_session_required: true,
        },
      ],
    });
    assertChromiumInstalled();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout: 20_000 });
  });
  after(async () => {
    await browser?.close();
    await op?.close();
    await new Promise((r) => app?.close(r));
  });

  it('with script: "Show password" is a toggle button (aria-pressed, aria-controls) that shows and hides the password', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(authorizeUrl(op.issuer, client()));
      const toggle = page.getByRole('button', { name: 'Show password' });
      assert.equal(await toggle.getAttribute('aria-controls'), 'password');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      await page.locator('#password').fill('secret');
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      assert.equal(await page.locator('#password').getAttribute('type'), 'text');
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      assert.equal(await page.locator('#password').getAttribute('type'), 'password');
      // Keyboard focus shows an outline (WCAG 2.2 §2.4.7).
      await page.locator('#username').focus();
      await page.keyboard.press('Tab');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
      assert.equal(outline, 'solid');
    } finally {
      await context.close();
    }
  });

  it('the pages fit 320 CSS px (360 px at 112%; 640 px at 200% zoom) without horizontal scrolling (WCAG 2.2 §1.4.10)', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    try {
      const page = await context.newPage();
      await page.goto(authorizeUrl(op.issuer, client(), { ui_locales: 'fr' }));
      const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
      assert.ok(scroll <= width, `the sign-in page scrolls sideways: ${scroll} > ${width}`);
    } finally {
      await context.close();
    }
  });

  it('without script: no toggle, a plain password field; sign-in, sign-out, and the front-channel iframe is still requested with iss and sid', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(authorizeUrl(op.issuer, client()));
      assert.equal(await page.getByRole('button', { name: 'Show password' }).count(), 0, 'the toggle stays hidden');
      assert.equal(await page.locator('#password').getAttribute('type'), 'password');
      await page.locator('#username').fill(USERS.alice.username);
      await page.locator('#password').fill(USERS.alice.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((u) => u.toString().startsWith(`${origin}/cb`));
      const before = hits.length;
      await page.goto(`${op.issuer}/logout?client_id=fc`);
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      const fcl = await waitUntil('the front-channel iframe request', () => hits.slice(before).find((h) => h.path === '/fcl'));
      assert.equal(fcl.headers['sec-fetch-dest'], 'iframe', 'loaded as an iframe, without script');
      assert.equal(fcl.query.get('iss'), op.issuer);
      assert.ok(fcl.query.get('sid'), 'with the sid');
    } finally {
      await context.close();
    }
  });
});
