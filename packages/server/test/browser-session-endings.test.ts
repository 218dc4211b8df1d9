/**
 * Single-page apps learn of endings that happen without their browser (issue 10 §3; Session
 * Management 1.0 §3.1-§3.2): an oidc-client-ts SPA with `monitorSession` (polling check_session
 * every second) sees the OP iframe answer `changed`, and raises userSignedOut, after
 *  (a) an administrator ends the user's sessions — `signoff sessions end --user` as a separate
 *      process (same site), and the core ending function with the SPA on another site
 *      (third-party cookies allowed, where only SameSite=None cookies reach the iframe);
 *  (b) the session passes its idle expiry (injected clock; not swept);
 *  (c) the same user, signed in from a second browser, signs out "on every device".
 * None of these touches the SPA's browser. The provider's iframe confirms its state every
 * `checkSession.confirmInterval` (1 s here), so each wait is bounded by a few poll intervals.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type Clock, ManualClock } from '../src/clock.js';
import { endSessions } from '../src/sessions/end.js';
import { AppServer, type Op, USERS, serveOidcClientTsSpa, spaClient } from './helpers/apps.js';
import { type Chromium, type ThirdPartyCookies, fillSignIn, isLocal, launchChromium } from './helpers/chromium.js';
import { startProvider } from './helpers/provider.js';
import { accountIdOf, cliConfigFor, runCli } from './helpers/session-flows.js';

interface SpaState {
  ready: boolean;
  user: { sub: string; session_state: string | null } | null;
  signedOut: boolean;
  events: string[];
  opMessages: string[];
  error: string | null;
}

/** The SPA polls every second (fixtures/oidc-client-ts/spa.js) and the iframe confirms every second. */
const POLL_MS = 1000;
/** A few poll intervals: the confirmation, the answer, and oidc-client-ts's own prompt=none check. */
const BOUND_MS = 8 * POLL_MS;

const spaState = (page: Page): Promise<SpaState> => page.evaluate(() => (window as unknown as { spa: SpaState }).spa);

interface Deployment {
  op: Op;
  spa: AppServer;
  browser: Chromium;
  page: Page;
  clients: Record<string, unknown>[];
  close(): Promise<void>;
}

const open = new Set<Deployment>();
after(async () => {
  await Promise.all([...open].map((d) => d.close()));
});

/** The provider (on `host`), the oidc-client-ts SPA on 127.0.0.1, and a Chromium showing it. */
const deploy = async (opts: { host: 'localhost' | '127.0.0.1'; thirdPartyCookies: ThirdPartyCookies; clock?: Clock }): Promise<Deployment> => {
  const spa = await AppServer.start();
  const clients = [spaClient(spa.origin)];
  const op = await startProvider({ clients, checkSession: { confirmInterval: '1s' } }, { host: opts.host, ...(opts.clock ? { clock: opts.clock } : {}) });
  serveOidcClientTsSpa(spa, op.issuer);
  const browser = await launchChromium({ thirdPartyCookies: opts.thirdPartyCookies });
  const d: Deployment = {
    op,
    spa,
    browser,
    page: browser.page,
    clients,
    close: async () => {
      open.delete(d);
      await browser.close();
      await Promise.all([op.close(), spa.close()]);
    },
  };
  open.add(d);
  return d;
};

/** Signs alice in at the SPA (signinRedirect, code + PKCE) in this page. */
const signInAtSpa = async (d: Deployment, page: Page): Promise<void> => {
  await page.goto(`${d.spa.origin}/`);
  await page.waitForFunction(() => (window as unknown as { spa?: SpaState }).spa?.ready === true, null, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${d.op.issuer}/**`);
  await fillSignIn(page, USERS.alice);
  await page.waitForURL(`${d.spa.origin}/?**`);
  await page.waitForFunction(() => (window as unknown as { spa?: SpaState }).spa?.ready === true, null, { timeout: 10_000 });
  const state = await spaState(page);
  assert.equal(state.error, null);
  assert.ok(state.user?.session_state, 'signed in, with a session_state');
};

/** The SPA is signed in and its check_session polls answer "unchanged" (at least twice, never "changed"). */
const watching = async (d: Deployment): Promise<void> => {
  await signInAtSpa(d, d.page);
  await d.page.waitForFunction(() => (window as unknown as { spa: SpaState }).spa.opMessages.filter((m) => m === 'unchanged').length >= 2, null, { timeout: 10_000 });
  const state = await spaState(d.page);
  assert.deepEqual(state.opMessages.filter((m) => m !== 'unchanged'), [], 'only "unchanged" while signed in');
};

/** After an ending elsewhere: the OP iframe answers "changed" and oidc-client-ts signs the user out, within a few poll intervals. */
const seesTheEnding = async (d: Deployment): Promise<void> => {
  await d.page.waitForFunction(() => (window as unknown as { spa: SpaState }).spa.opMessages.includes('changed'), null, { timeout: BOUND_MS });
  await d.page.waitForFunction(() => (window as unknown as { spa: SpaState }).spa.signedOut === true, null, { timeout: BOUND_MS });
  const state = await spaState(d.page);
  assert.ok(state.events.includes('userSignedOut'), `events: ${state.events.join(',')}`);
  assert.deepEqual(d.browser.requests.map((r) => r.url()).filter((u) => !isLocal(u)), [], 'the browser only talked to loopback');
};

describe('an oidc-client-ts SPA polling check_session sees "changed" after endings that happen without its browser (issue 10 §3; Session Management 1.0 §3.2)', () => {
  it('(a) an administrator runs `signoff sessions end --user alice` (another process on the store); same site, third-party cookies blocked', async () => {
    const d = await deploy({ host: '127.0.0.1', thirdPartyCookies: 'blocked' });
    try {
      await watching(d);
      const r = await runCli(['sessions', 'end', '--user', USERS.alice.username, '--config', cliConfigFor(d.op, d.clients)], { cwd: d.op.dir });
      assert.equal(r.code, 0, r.stderr);
      await seesTheEnding(d);
    } finally {
      await d.close();
    }
  });

  it('(a) an administrator ends alice\'s sessions through the core ending function; the SPA on another site, third-party cookies allowed', async () => {
    const d = await deploy({ host: 'localhost', thirdPartyCookies: 'allowed' });
    try {
      await watching(d);
      const p = d.op.provider;
      const ended = await endSessions({ sessions: p.store, clock: p.clock }, { accountId: await accountIdOf(d.op, USERS.alice.username) }, 'admin', 'admin:test');
      assert.equal(ended.length, 1);
      await seesTheEnding(d);
    } finally {
      await d.close();
    }
  });

  it('(b) the session passes its idle timeout (injected clock, not yet swept)', async () => {
    const clock = new ManualClock();
    const d = await deploy({ host: '127.0.0.1', thirdPartyCookies: 'blocked', clock });
    try {
      await watching(d);
      clock.advance(d.op.provider.config.session.idleTimeout + 1);
      await seesTheEnding(d);
      const notEnded = await d.op.provider.store.listSessions({ limit: 10 });
      assert.equal(notEnded.length, 1, 'the session was not ended by anyone: its expiry alone counts');
    } finally {
      await d.close();
    }
  });

  it('(c) alice signs in from a second browser and signs out there with logout_scope=everywhere', async () => {
    const d = await deploy({ host: '127.0.0.1', thirdPartyCookies: 'blocked' });
    const other = await launchChromium({ thirdPartyCookies: 'blocked' });
    try {
      await watching(d);
      await signInAtSpa(d, other.page);
      await other.page.goto(`${d.op.issuer}/logout`);
      await other.page.locator('input[name="logout_scope"][value="everywhere"]').check();
      await other.page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await other.page.getByRole('heading', { name: 'You are signed out' }).waitFor({ timeout: 10_000 });
      await seesTheEnding(d);
    } finally {
      await other.close();
      await d.close();
    }
  });
});
