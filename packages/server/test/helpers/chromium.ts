/**
 * Headless Chromium for the real-browser tests: Debian's /usr/bin/chromium driven by
 * playwright-core (never a downloaded browser).
 *
 * Playwright's `browser.newContext()` is incognito-like and blocks third-party cookies, so every
 * test here launches a persistent context on a fresh profile whose preferences say whether
 * third-party cookies are allowed (`profile.cookie_controls_mode` 0) or blocked (1), which is
 * what a user toggles in chrome://settings/cookies.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, type Request, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export type ThirdPartyCookies = 'allowed' | 'blocked';

export interface Chromium {
  context: BrowserContext;
  /** Every URL the browser requested, in order (the tests assert it only talked to loopback). */
  requests: Request[];
  /** The first page of the context. */
  page: Page;
  close(): Promise<void>;
}

/** Fails — never skips — when the browser is missing, saying how to get it. */
export const assertChromiumInstalled = (): void => {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `${CHROMIUM_PATH} is missing: the real-browser tests need Debian's chromium package. ` +
        'Run `bash scripts/ensure-chromium.sh` (as root it installs it with apt-get), or `apt-get install chromium`.',
    );
  }
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** A URL the browser may load in these tests: loopback http, or the browser's own internal schemes. */
export const isLocal = (url: string): boolean => {
  const u = new URL(url);
  if (u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'ws:' || u.protocol === 'wss:') return LOOPBACK.has(u.hostname);
  return true; // about:, data:, blob:, chrome:
};

export const launchChromium = async (opts: { thirdPartyCookies: ThirdPartyCookies }): Promise<Chromium> => {
  assertChromiumInstalled();
  const userDataDir = mkdtempSync(join(tmpdir(), 'signoff-chromium-'));
  mkdirSync(join(userDataDir, 'Default'));
  writeFileSync(
    join(userDataDir, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: opts.thirdPartyCookies === 'allowed' ? 0 : 1 } }),
  );
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS],
      timeout: 20_000,
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  const requests: Request[] = [];
  context.on('request', (r) => requests.push(r));
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    requests,
    page,
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
};

/** Polls `check` (in Node) until it returns a value other than undefined, or fails after `timeoutMs`. */
export const waitUntil = async <T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
};

/**
 * Signs in on the provider's real sign-in page: fills `username` and `password` and presses the
 * submit button, like a person.
 */
export const fillSignIn = async (page: Page, user: { username: string; password: string }): Promise<void> => {
  await page.locator('input[name="username"]').fill(user.username);
  await page.locator('input[name="password"]').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
};
