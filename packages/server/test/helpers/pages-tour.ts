/**
 * A walk through every page a person can see at the provider (issue 13), in a real browser:
 * the a11y test (browser-pages-a11y.test.ts) checks each page where the walk stops, and the
 * screenshots script (scripts/screenshots.ts) photographs it.
 *
 * The provider runs in this process on 127.0.0.1 with a temporary SQLite store; an application
 * on another loopback port is the redirect target and serves the front-channel logout iframes,
 * so the signed-out page has real iframes in it.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { confirmTotp, startTotpEnrolment } from '../../src/accounts/factors/totp.js';
import type { Clock } from '../../src/clock.js';
import { factorDeps } from '../../src/provider.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, assertChromiumInstalled } from './chromium.js';
import { type Mailbox, resetLinkOf, startMailbox } from './mailbox.js';
import { CLIENTS, USERS, type TestProvider, defaultClients, startProvider } from './provider.js';

export { USERS };

/** Every page of the walk, in the order it reaches them. */
export const TOUR_PAGES = [
  'landing',
  'error',
  'sign-in',
  'sign-in-failed',
  'second-factor',
  'choose-account',
  'consent',
  'logout-confirm',
  'still-signed-in',
  'signed-out',
] as const;
export type TourPage = (typeof TOUR_PAGES)[number] | (typeof RESET_PAGES)[number] | 'devices';

/** The password-reset pages (issue 17 §4), in the order walkResetPages reaches them. */
export const RESET_PAGES = ['forgot', 'forgot-sent', 'reset', 'reset-refused', 'reset-done', 'reset-invalid'] as const;

/** One account per language whose password the reset walk changes (the walks run at once). */
export const resetUser = (lang: string) => ({ username: `dora-${lang}`, password: `dora-${lang}-first-long-passphrase`, claims: { name: 'Dora', email: `dora-${lang}@example.test` } });

export const APP_CLIENT = { client_id: 'example-app', client_secret: 'example-app-secret-0123456789-0123456', client_name: 'Example App' } as const;

/**
 * A clock that stands still (for screenshots that do not change from run to run) and steps a
 * minute at each sign-in, so "the most recently signed-in account" is always the same one.
 */
export class StepClock implements Clock {
  private ms: number;
  constructor(readonly startMs: number) {
    this.ms = startMs;
  }
  nowMs(): number {
    return this.ms;
  }
  reset(): void {
    this.ms = this.startMs;
  }
  step(): void {
    this.ms += 60_000;
  }
}

export interface Tour {
  issuer: string;
  /** The provider's clock when it is a StepClock (else it runs on the system clock). */
  clock?: StepClock | undefined;
  /** The application's origin (redirect target and front-channel logout iframes). */
  app: string;
  /** Paths the application was asked for, in order. */
  appHits: string[];
  op: TestProvider;
  /** Where the provider's mail goes (email is configured, so the reset pages exist). */
  mailbox: Mailbox;
  close(): Promise<void>;
}

const APP_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example App</title></head>
<body><main><h1>Example App</h1><p>Back at the application.</p></main></body></html>`;

/**
 * Starts the application and the provider (its clients: the test clients plus Example App with
 * front-channel logout); `upstreams` configures upstream providers, whose buttons the sign-in page shows.
 */
export const startTour = async (opts: { clock?: StepClock; upstreams?: Record<string, unknown>[] } = {}): Promise<Tour> => {
  const appHits: string[] = [];
  const server: Server = createServer((req, res) => {
    appHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(APP_HTML);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const app = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = defaultClients().map((c) =>
    // The consent client, with a friendlier name and a redirect URI somebody serves.
    c.client_id === CLIENTS.consent.client_id ? { ...c, client_name: 'Photo Album', redirect_uris: [`${app}/photos/callback`] } : c,
  );
  clients.push({
    ...APP_CLIENT,
    redirect_uris: [`${app}/callback`],
    post_logout_redirect_uris: [`${app}/`],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
    frontchannel_logout_uri: `${app}/frontchannel-logout`,
    frontchannel_logout_session_required: true,
  });
  let op: TestProvider;
  const mailbox = await startMailbox();
  try {
    op = await startProvider(
      { clients, users: [...Object.values(USERS), ...['en', 'de', 'fr'].map(resetUser)], email: mailbox.config(), ...(opts.upstreams ? { upstreams: opts.upstreams } : {}) },
      { host: '127.0.0.1', ...(opts.clock ? { clock: opts.clock } : {}) },
    );
  } catch (err) {
    server.close();
    await mailbox.close();
    throw err;
  }
  try {
    await enrolAuthenticatorApp(op, USERS.alice.username);
  } catch (err) {
    server.close();
    await op.close();
    await mailbox.close();
    throw err;
  }
  return {
    issuer: op.issuer,
    clock: opts.clock,
    app,
    appHits,
    op,
    mailbox,
    close: async () => {
      server.closeAllConnections();
      await Promise.all([op.close(), new Promise((r) => server.close(r))]);
      await mailbox.close();
    },
  };
};

/** Alice has an authenticator app (issue 14 §2), so that a request for mfa shows the second-factor page. */
const enrolAuthenticatorApp = async (op: TestProvider, username: string): Promise<void> => {
  const account = await op.provider.store.accountByUsername(username);
  if (!account) throw new Error(`no account ${username}`);
  const deps = factorDeps(op.provider);
  const enrolment = await startTotpEnrolment(deps, account, 'Phone');
  const code = TOTP.generate({ secret: Secret.fromBase32(enrolment.secret), timestamp: op.provider.clock.nowMs() });
  if (!(await confirmTotp(deps, account.id, enrolment.factorId, code))) throw new Error('the tour could not enrol an authenticator app');
};

/** Debian's Chromium, headless (the same flags as every browser test). */
export const launchBrowser = async (): Promise<Browser> => {
  assertChromiumInstalled();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout: 20_000 });
};

export const newContext = async (
  browser: Browser,
  opts: { locale: string; viewport?: { width: number; height: number }; headers?: Record<string, string>; userAgent?: string },
): Promise<BrowserContext> => {
  const context = await browser.newContext({
    locale: opts.locale,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    reducedMotion: 'reduce',
    ...(opts.headers ? { extraHTTPHeaders: opts.headers } : {}),
    ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  return context;
};

export const authorizeUrl = (tour: Tour, params: Record<string, string>, client: { client_id: string; redirect_uri: string } = { client_id: APP_CLIENT.client_id, redirect_uri: `${tour.app}/callback` }): string => {
  const u = new URL(`${tour.issuer}/authorize`);
  u.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: client.redirect_uri,
    response_type: 'code',
    scope: 'openid profile email',
    state: 'tour-state',
    nonce: 'tour-nonce',
    ...params,
  }).toString();
  return u.toString();
};

/** The form's first submit button: its label is in the page's language, so it is not found by name. */
const submit = (page: Page) => page.locator('form button[type="submit"]').first();

const signIn = async (tour: Tour, page: Page, user: { username: string; password: string }): Promise<void> => {
  tour.clock?.step();
  await page.locator('input[name="username"]').fill(user.username);
  await page.locator('input[name="password"]').fill(user.password);
  await submit(page).click();
};

const expectPage = async (page: Page, name: TourPage, selector: string): Promise<void> => {
  try {
    await page.locator(selector).first().waitFor({ state: 'attached', timeout: 10_000 });
  } catch {
    throw new Error(`the walk expected the ${name} page (${selector}) at ${page.url()}:\n${(await page.content()).slice(0, 1500)}`);
  }
};

/**
 * Walks one fresh browser context through every page of TOUR_PAGES, `ui_locales` = `uiLocales`
 * on /authorize and /logout, stopping at each so `visit` can look at it. The context keeps the
 * cookies of the walk (alice and then bob sign in on it).
 */
export const walkPages = async (
  tour: Tour,
  context: BrowserContext,
  uiLocales: string,
  visit: (name: (typeof TOUR_PAGES)[number], page: Page) => Promise<void>,
): Promise<void> => {
  tour.clock?.reset();
  const page = await context.newPage();
  try {
    const ui = { ui_locales: uiLocales };
    // The landing page at the issuer's root (issue 17 §1), in the requested language.
    await page.goto(`${tour.issuer}/?${new URLSearchParams(ui)}`);
    await expectPage(page, 'landing', 'main h1');
    await visit('landing', page);

    // An error page: the client is unknown, so the browser cannot be sent back (OIDC Core §3.1.2.6).
    await page.goto(authorizeUrl(tour, ui, { client_id: 'no-such-client', redirect_uri: `${tour.app}/callback` }));
    await expectPage(page, 'error', 'main h1');
    await visit('error', page);

    await page.goto(authorizeUrl(tour, ui));
    await expectPage(page, 'sign-in', 'input[name="password"]');
    await visit('sign-in', page);

    await signIn(tour, page, { username: USERS.alice.username, password: 'not-the-password' });
    await page.waitForLoadState();
    await expectPage(page, 'sign-in-failed', 'input[name="password"]');
    await visit('sign-in-failed', page);

    await signIn(tour, page, USERS.alice);
    await page.waitForURL(`${tour.app}/callback?**`);

    // The application asks for more than a password (issue 14 §3): the second-factor page, left unanswered.
    await page.goto(authorizeUrl(tour, { ...ui, acr_values: 'urn:signoff:acr:mfa' }));
    await expectPage(page, 'second-factor', 'input[name="method"]');
    await visit('second-factor', page);

    // A second account on the same browser: bob is not signed in here, so the sign-in page.
    await page.goto(authorizeUrl(tour, { ...ui, login_hint: USERS.bob.username }));
    await expectPage(page, 'sign-in', 'input[name="password"]');
    await signIn(tour, page, USERS.bob);
    await page.waitForURL(`${tour.app}/callback?**`);

    // Two accounts, no hint: the chooser (OIDC Core §3.1.2.1).
    await page.goto(authorizeUrl(tour, ui));
    await expectPage(page, 'choose-account', 'button[name="account"]');
    await visit('choose-account', page);

    // The consent client asks every time.
    await page.goto(authorizeUrl(tour, { ...ui, login_hint: USERS.alice.username }, { client_id: CLIENTS.consent.client_id, redirect_uri: `${tour.app}/photos/callback` }));
    await expectPage(page, 'consent', 'button[name="decision"]');
    await visit('consent', page);

    // RP-Initiated Logout without id_token_hint: the confirmation (§2).
    const logout = `${tour.issuer}/logout?${new URLSearchParams(ui)}`;
    await page.goto(logout);
    await expectPage(page, 'logout-confirm', 'input[name="logout_scope"]');
    await visit('logout-confirm', page);

    await page.locator('button[name="stay"]').click();
    await page.waitForLoadState();
    await expectPage(page, 'still-signed-in', 'main h1');
    await visit('still-signed-in', page);

    // Sign both accounts out of this browser: the signed-out page loads the application's front-channel iframes.
    await page.goto(logout);
    await expectPage(page, 'logout-confirm', 'input[name="logout_scope"]');
    const all = page.locator('input[name="logout_scope"][value="browser"]');
    await ((await all.count()) > 0 ? all : page.locator('input[name="logout_scope"][value="session"]')).check();
    const hits = tour.appHits.length;
    await submit(page).click();
    await page.waitForLoadState();
    await expectPage(page, 'signed-out', 'main h1');
    const deadline = Date.now() + 5000;
    const notified = () => tour.appHits.slice(hits).some((h) => h.startsWith('/frontchannel-logout'));
    while (!notified() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!notified()) throw new Error('the signed-out page did not load the application\'s front-channel logout iframe');
    await page.waitForLoadState('networkidle');
    await visit('signed-out', page);
  } finally {
    await page.close();
  }
};

/**
 * The devices page (issue 13 §1): alice signs in on this context, then opens
 * ISSUER/account/sessions (in the language of the context's Accept-Language). Returns undefined
 * when the provider has no such page yet (404).
 */
export const openDevicesPage = async (tour: Tour, context: BrowserContext): Promise<Page | undefined> => {
  const probe = await fetch(`${tour.issuer}/account/sessions`, { redirect: 'manual' });
  await probe.body?.cancel();
  if (probe.status === 404) return undefined;
  tour.clock?.reset();
  const page = await context.newPage();
  await page.goto(authorizeUrl(tour, {}));
  await expectPage(page, 'devices', 'input[name="password"]');
  await signIn(tour, page, USERS.alice);
  await page.waitForURL(`${tour.app}/callback?**`);
  await page.goto(`${tour.issuer}/account/sessions`);
  await page.waitForLoadState('networkidle');
  return page;
};

/**
 * The password-reset pages (issue 17 §4) in `uiLocales`: the forgot page, the answer, the link's
 * page, a refused password, the done page and a spent link. Each language resets its own account
 * (resetUser), since the walks run at once.
 */
export const walkResetPages = async (
  tour: Tour,
  context: BrowserContext,
  uiLocales: string,
  visit: (name: (typeof RESET_PAGES)[number], page: Page) => Promise<void>,
): Promise<void> => {
  const user = resetUser(uiLocales);
  const page = await context.newPage();
  try {
    await page.goto(`${tour.issuer}/account/forgot?ui_locales=${encodeURIComponent(uiLocales)}`);
    await expectPage(page, 'forgot', 'input[name="identifier"]');
    await visit('forgot', page);
    await page.locator('input[name="identifier"]').fill(user.username);
    await submit(page).click();
    await page.waitForLoadState();
    await expectPage(page, 'forgot-sent', 'main [role="status"]');
    await visit('forgot-sent', page);
    const deadline = Date.now() + 5000;
    const mailFor = () => tour.mailbox.mails.find((m) => m.envelopeTo.includes(user.claims.email) && m.text.includes('/account/reset?token='));
    while (!mailFor() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const mail = mailFor();
    if (!mail) throw new Error(`no reset mail for ${user.username}`);
    const link = `${resetLinkOf(mail)}&ui_locales=${encodeURIComponent(uiLocales)}`;
    await page.goto(link);
    await expectPage(page, 'reset', 'input[name="password"]');
    await visit('reset', page);
    await page.locator('input[name="password"]').evaluate((el) => el.removeAttribute('minlength'));
    await page.locator('input[name="password"]').fill('short');
    await submit(page).click();
    await page.waitForLoadState();
    await expectPage(page, 'reset-refused', '#reset-error');
    await visit('reset-refused', page);
    await page.locator('input[name="password"]').fill(`${user.username}-second-long-passphrase`);
    await submit(page).click();
    await page.waitForLoadState();
    await expectPage(page, 'reset-done', 'main [role="status"]');
    await visit('reset-done', page);
    await page.goto(link);
    await expectPage(page, 'reset-invalid', 'main [role="alert"]');
    await visit('reset-invalid', page);
  } finally {
    await page.close();
  }
};
