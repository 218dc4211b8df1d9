/**
 * The provider's check_session iframe in a real browser (Session Management 1.0 §3.2; issue 4
 * "Bad input": postMessage from an unregistered origin). It answers `unchanged` / `error` to the
 * registered client's page, ignores messages from any other origin, and cannot be framed by an
 * origin no client registered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { AppServer, type Op, USERS, sendHtml, startOp } from './helpers/apps.js';
import { type Chromium, fillSignIn, launchChromium, waitUntil } from './helpers/chromium.js';

describe('check_session iframe (Session Management 1.0 §3.2)', () => {
  let registered: AppServer;
  let stranger: AppServer;
  let op: Op;
  let browser: Chromium;
  let page: Page;
  let sessionState = '';

  before(async () => {
    registered = await AppServer.start();
    stranger = await AppServer.start();
    op = await startOp({
      host: '127.0.0.1',
      clients: [{ client_id: 'watcher', token_endpoint_auth_method: 'none', redirect_uris: [`${registered.origin}/cb`], grant_types: ['authorization_code'] }],
    });
    registered.route('/cb', (_req, _url, res) => sendHtml(res, '<p>back</p>'));
    // The client's page: the provider's iframe and a frame of another origin side by side.
    registered.route('/host', (_req, _url, res) =>
      sendHtml(res, `<script>
        window.answers = [];
        window.addEventListener('message', (e) => { if (e.origin === ${JSON.stringify(op.issuer)}) answers.push(e.data); });
        window.ask = (m) => document.getElementById('op').contentWindow.postMessage(m, ${JSON.stringify(op.issuer)});
      </script>
      <iframe id="op" src="${op.issuer}/check-session"></iframe>
      <iframe id="stranger" src="${stranger.origin}/attack"></iframe>`),
    );
    // Another origin's frame in that page: it posts to the provider's iframe (a sibling it can reach).
    stranger.route('/attack', (_req, _url, res) =>
      sendHtml(res, `<script>
        window.replies = [];
        window.addEventListener('message', (e) => replies.push(e.origin + ' ' + e.data));
        window.attack = (m) => parent.frames[0].postMessage(m, '*');
      </script>`),
    );
    stranger.route('/embed', (_req, _url, res) => sendHtml(res, `<iframe src="${op.issuer}/check-session"></iframe>`));
    browser = await launchChromium({ thirdPartyCookies: 'allowed' });
    page = browser.page;
    const authorize = `${op.issuer}/authorize?${new URLSearchParams({
      client_id: 'watcher', redirect_uri: `${registered.origin}/cb`, response_type: 'code', scope: 'openid', state: 's',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    })}`;
    await page.goto(authorize);
    await fillSignIn(page, USERS.alice);
    await page.waitForURL(`${registered.origin}/cb?**`);
    sessionState = new URL(page.url()).searchParams.get('session_state') ?? '';
    assert.ok(sessionState);
    await page.goto(`${registered.origin}/host`);
    await page.frameLocator('#op').locator('body').waitFor({ state: 'attached' });
  });

  after(async () => {
    await browser?.close();
    await op?.close();
    await registered?.close();
    await stranger?.close();
  });

  const ask = async (message: string): Promise<string> => {
    const before = await page.evaluate(() => (window as unknown as { answers: string[] }).answers.length);
    await page.evaluate((m) => (window as unknown as { ask: (m: string) => void }).ask(m), message);
    return waitUntil(`an answer to "${message}"`, async () =>
      page.evaluate((n) => (window as unknown as { answers: string[] }).answers[n], before),
    );
  };

  it('answers "unchanged" to the registered client for its current session_state', async () => {
    assert.equal(await ask(`watcher ${sessionState}`), 'unchanged');
  });

  it('answers "changed" for a session_state computed from another browser state', async () => {
    const salt = sessionState.slice(sessionState.lastIndexOf('.') + 1);
    assert.equal(await ask(`watcher ${'A'.repeat(43)}.${salt}`), 'changed');
  });

  it('answers "error" to malformed messages: no space, no salt, a client_id not registered for this origin', async () => {
    assert.equal(await ask('garbage'), 'error');
    assert.equal(await ask('watcher'), 'error');
    assert.equal(await ask('watcher no-dot-here'), 'error');
    assert.equal(await ask(`nobody ${sessionState}`), 'error');
  });

  it('ignores a message from an origin no client registered, even a well-formed one', async () => {
    const frame = page.frame({ url: `${stranger.origin}/attack` });
    assert.ok(frame, 'the stranger frame loaded');
    await frame.evaluate((m) => (window as unknown as { attack: (m: string) => void }).attack(m), `watcher ${sessionState}`);
    // A registered request sent right after is answered, so silence toward the stranger is not a delay.
    assert.equal(await ask(`watcher ${sessionState}`), 'unchanged');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await frame.evaluate(() => (window as unknown as { replies: string[] }).replies), []);
  });

  it('confirms the state with the provider (issue 10 §3) at most once per checkSession.confirmInterval (default 5 s): five questions, one same-origin GET /check-session/state carrying the browser-state cookie', async () => {
    const fresh = await browser.context.newPage();
    try {
      const from = browser.requests.length;
      await fresh.goto(`${registered.origin}/host`);
      await fresh.frameLocator('#op').locator('body').waitFor({ state: 'attached' });
      const answers: string[] = [];
      for (let i = 0; i < 5; i++) {
        const n = await fresh.evaluate(() => (window as unknown as { answers: string[] }).answers.length);
        await fresh.evaluate((m) => (window as unknown as { ask: (m: string) => void }).ask(m), `watcher ${sessionState}`);
        answers.push(await waitUntil('an answer', () => fresh.evaluate((k) => (window as unknown as { answers: string[] }).answers[k], n)));
      }
      assert.deepEqual(answers, Array(5).fill('unchanged'));
      const confirmations = browser.requests.slice(from).filter((r) => r.url() === `${op.issuer}/check-session/state`);
      assert.equal(confirmations.length, 1, 'one request for five questions');
      const headers = await (confirmations[0] as (typeof confirmations)[number]).allHeaders();
      assert.equal(headers['sec-fetch-site'], 'same-origin');
      assert.match(headers.cookie ?? '', /(^|; )signoff-state=/);
    } finally {
      await fresh.close();
    }
  });

  it('cannot be framed by an origin no client registered (CSP frame-ancestors)', async () => {
    const other = await browser.context.newPage();
    try {
      await other.goto(`${stranger.origin}/embed`);
      await other.waitForTimeout(300);
      const usable = await Promise.all(
        other.frames().filter((f) => f !== other.mainFrame()).map((f) => f.evaluate(() => Boolean(document.body?.dataset.config)).catch(() => false)),
      );
      assert.ok(usable.length > 0, 'the iframe element exists');
      assert.ok(usable.every((u) => !u), 'the provider page did not load inside it');
    } finally {
      await other.close();
    }
  });
});
